"""Distribution alignment of pseudo-label probabilities (ReMixMatch)."""
from typing import Dict, Optional, Sequence, Union

import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS
from ..utils.dist_utils import all_reduce_sum

_EPS = 1e-6


@TASK_UTILS.register_module()
class DistributionAlignment(nn.Module):
    """Rescale pseudo-label probabilities towards a target class marginal.

    ReMixMatch (Berthelot et al., ICLR 2020) as in USB's
    ``DistAlignEMAHook``: ``p_model`` is an EMA of the mean predicted
    distribution on the unlabeled batches (the first batch sets it), and
    each probability vector becomes ``p * (target + eps) / (p_model + eps)``,
    renormalised. Classes the model predicts too often are damped, rare ones
    boosted. Each call first updates ``p_model`` with the current batch
    (global batch: sums and counts all-reduced, so every rank holds the same
    state) and then aligns it.

    It changes probabilities, not weights: FixMatch applies it to the weak
    probabilities (``semi_train_cfg.distribution_alignment``) before
    targets and weighters.

    Args:
        num_classes (int): Number of classes K.
        momentum (float): EMA momentum in [0, 1). Defaults to 0.999.
        target (str | Sequence[float]): ``'uniform'``; ``'labeled'``: an EMA
            (same momentum, starting uniform) of the class frequencies of
            the labeled batches (``step.batch.sup_meta['labels']``); or K
            non-negative numbers (a known labeled prior, normalised here).
            Defaults to ``'uniform'``.
    """

    def __init__(self,
                 num_classes: Optional[int] = None,
                 momentum: float = 0.999,
                 target: Union[str, Sequence[float]] = 'uniform') -> None:
        super().__init__()
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f'DistributionAlignment: num_classes must be a '
                             f'positive int, got {num_classes!r}')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'DistributionAlignment: momentum must be in '
                             f'[0, 1), got {momentum}')
        self.num_classes = num_classes
        self.momentum = float(momentum)
        uniform = torch.full((num_classes, ), 1.0 / num_classes)
        if isinstance(target, str):
            if target not in ('uniform', 'labeled'):
                raise ValueError(
                    "DistributionAlignment: target must be 'uniform', "
                    f"'labeled' or {num_classes} numbers, got {target!r}")
            self.target_type = target
            p_target = uniform
        else:
            p_target = torch.as_tensor(target, dtype=torch.float32)
            if p_target.shape != (num_classes, ) or (p_target < 0).any() \
                    or p_target.sum() <= 0:
                raise ValueError(
                    f'DistributionAlignment: target must hold {num_classes} '
                    f'non-negative numbers with a positive sum, got {target}')
            self.target_type = 'fixed'
            p_target = p_target / p_target.sum()
        self.register_buffer('p_target', p_target)
        self.register_buffer('p_model', uniform.clone())
        # float: SyncBuffersHook mean-reduces buffers
        self.register_buffer('num_updates', torch.zeros(()))

    @torch.no_grad()
    def update(self, probs: Tensor, labels: Optional[Tensor] = None) -> None:
        """One EMA step of ``p_model`` (and of a ``'labeled'`` target).

        Args:
            probs (Tensor): ``(M, K)`` this rank's unlabeled probabilities.
            labels (Tensor, optional): ``(N,)`` this rank's labels of the
                labeled batch (``'labeled'`` target only).
        """
        k = self.num_classes
        parts = [probs.detach().to(self.p_model.dtype).sum(dim=0),
                 self.p_model.new_tensor([float(probs.shape[0])])]
        if self.target_type == 'labeled':
            labels = labels.to(self.p_model.device).long()
            parts += [torch.bincount(labels, minlength=k)[:k].to(
                self.p_model.dtype),
                      self.p_model.new_tensor([float(labels.numel())])]
        stats = all_reduce_sum(torch.cat(parts))
        m = self.momentum
        n = stats[k]
        if n > 0:
            mean = stats[:k] / n
            if self.num_updates == 0:
                self.p_model.copy_(mean)
            else:
                self.p_model.mul_(m).add_((1 - m) * mean)
            self.num_updates += 1
        if self.target_type == 'labeled' and stats[-1] > 0:
            self.p_target.mul_(m).add_((1 - m) * stats[k + 1:-1] / stats[-1])

    @torch.no_grad()
    def forward(self, probs: Tensor, step=None) -> Tensor:
        """Update the marginals and align ``probs``.

        Args:
            probs (Tensor): ``(M, K)`` probabilities (rows sum to 1).
            step (SemiStep, optional): Needed for ``target='labeled'``
                (``step.batch.sup_meta['labels']``).

        Returns:
            Tensor: ``(M, K)`` aligned probabilities (rows sum to 1), of
            ``probs``' dtype, detached.
        """
        if probs.dim() != 2 or probs.shape[1] != self.num_classes:
            raise ValueError(
                f'DistributionAlignment(num_classes={self.num_classes}) got '
                f'probabilities of shape {tuple(probs.shape)}')
        labels = None
        if self.target_type == 'labeled':
            if step is None:
                raise ValueError(
                    "DistributionAlignment(target='labeled') needs the "
                    "training step (step.batch.sup_meta['labels']); this "
                    'caller passes none: use a fixed target')
            labels = step.batch.sup_meta['labels']
        self.update(probs, labels)
        ratio = ((self.p_target + _EPS) / (self.p_model + _EPS)).to(
            probs.dtype)
        aligned = probs.detach() * ratio
        return aligned / aligned.sum(dim=-1, keepdim=True)

    def log_values(self) -> Dict[str, float]:
        # how far the predicted marginal is from the target
        return dict(da_tv_distance=float(
            (self.p_model - self.p_target).abs().sum() / 2))
