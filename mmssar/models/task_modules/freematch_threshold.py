"""FreeMatch's self-adaptive thresholds (global and class-wise)."""
from typing import Dict, Optional

import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS
from ..utils.dist_utils import all_reduce_sum


@TASK_UTILS.register_module()
class FreeMatchThreshold(nn.Module):
    """Self-adaptive thresholding (SAT) of FreeMatch (Wang et al., ICLR 2023).

    Two exponential moving averages over the unlabeled batches:

    - ``global_threshold`` τ: of the mean confidence (max probability);
    - ``class_probs`` p̃ ``(K,)``: of the mean probability vector.

    The class-wise threshold is ``τ_c = τ * p̃_c / max_k p̃_k`` and a sample
    predicted as ``c`` is kept when its confidence reaches ``τ_c``. Each
    call first updates both averages with the current batch and then
    thresholds it (USB's order). The batch means are taken over the global
    batch (sums and counts all-reduced), so every rank holds the same state,
    equal to a single process fed the concatenated batch.

    Both averages start at ``1 / K`` (the paper's initialisation: low
    thresholds while the model is uncertain); USB starts them at 1.

    Args:
        momentum (float): EMA momentum λ in [0, 1): ``new = λ * old +
            (1 - λ) * batch``. Defaults to 0.999.
        num_classes (int): Number of classes K.
    """

    def __init__(self,
                 momentum: float = 0.999,
                 num_classes: Optional[int] = None) -> None:
        super().__init__()
        if not 0.0 <= momentum < 1.0:
            raise ValueError(
                f'FreeMatchThreshold: momentum must be in [0, 1), got '
                f'{momentum}')
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f'FreeMatchThreshold: num_classes must be a '
                             f'positive int, got {num_classes!r}')
        self.momentum = float(momentum)
        self.num_classes = num_classes
        self.register_buffer('global_threshold',
                             torch.tensor(1.0 / num_classes))
        self.register_buffer('class_probs',
                             torch.full((num_classes, ), 1.0 / num_classes))

    def class_thresholds(self) -> Tensor:
        """``(K,)`` class-wise thresholds ``τ * p̃ / max(p̃)``."""
        return self.global_threshold * self.class_probs / \
            self.class_probs.max()

    @torch.no_grad()
    def update(self, probs: Tensor) -> None:
        """One EMA step with the global batch.

        Args:
            probs (Tensor): ``(M, K)`` this rank's probabilities (M may be 0
                on a rank; nothing changes when the global batch is empty).
        """
        probs = probs.detach().to(self.class_probs.dtype)
        stats = torch.cat([
            probs.max(dim=-1).values.sum().reshape(1) if probs.numel()
            else probs.new_zeros(1),
            probs.sum(dim=0),
            probs.new_tensor([float(probs.shape[0])])
        ])
        stats = all_reduce_sum(stats)
        n = stats[-1]
        if n == 0:
            return
        m = self.momentum
        self.global_threshold.mul_(m).add_((1 - m) * stats[0] / n)
        self.class_probs.mul_(m).add_((1 - m) * stats[1:-1] / n)

    @torch.no_grad()
    def forward(self, probs: Tensor, step=None) -> Tensor:
        """A per-sample weighter (see ``SemiRecognizer.apply_weighters``).

        Args:
            probs (Tensor): ``(M, K)`` pseudo-label probabilities.
            step (SemiStep, optional): Unused.

        Returns:
            Tensor: ``(M,)`` mask in {0, 1}, of ``probs``' dtype.
        """
        if probs.dim() != 2 or probs.shape[1] != self.num_classes:
            raise ValueError(
                f'FreeMatchThreshold(num_classes={self.num_classes}) got '
                f'probabilities of shape {tuple(probs.shape)}')
        self.update(probs)
        conf, label = probs.detach().max(dim=-1)
        return (conf >= self.class_thresholds().to(conf.dtype)[label]).to(
            probs.dtype)

    def log_values(self) -> Dict[str, float]:
        out = dict(threshold=float(self.global_threshold))
        out.update({f'threshold/c{k}': float(t)
                    for k, t in enumerate(self.class_thresholds())})
        return out
