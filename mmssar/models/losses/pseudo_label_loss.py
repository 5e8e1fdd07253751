"""Losses on unlabeled samples."""
from typing import Optional

import torch.nn.functional as F
from torch import Tensor, nn

from mmssar.registry import MODELS


@MODELS.register_module()
class MaskedCrossEntropyLoss(nn.Module):
    """Cross-entropy against (pseudo-)targets, masked per sample.

    FixMatch normalises by *all* unlabeled samples, not by the kept ones, so
    the loss shrinks while few pseudo-labels pass the threshold.

    Args:
        normalize (str): ``'all'`` (FixMatch) or ``'kept'``.
            Defaults to ``'all'``.
    """

    def __init__(self, normalize: str = 'all') -> None:
        super().__init__()
        if normalize not in ('all', 'kept'):
            raise ValueError(f'unknown normalisation {normalize!r}')
        self.normalize = normalize

    def forward(self, logits: Tensor, targets: Tensor, mask: Tensor) -> Tensor:
        """
        Args:
            logits (Tensor): ``(N, K)`` student logits.
            targets (Tensor): ``(N, K)`` target distributions (one-hot for
                hard labels).
            mask (Tensor): ``(N,)`` weights in [0, 1].
        """
        loss = -(targets * F.log_softmax(logits, dim=-1)).sum(dim=-1) * mask
        if self.normalize == 'all':
            return loss.mean()
        return loss.sum() / mask.sum().clamp(min=1.0)


@MODELS.register_module()
class ConsistencyLoss(nn.Module):
    """Distance between student and teacher predictions (Mean Teacher).

    Args:
        kind (str): ``'mse'`` between softmax outputs (the Mean Teacher
            paper) or ``'kl'`` = KL(teacher ‖ student). Defaults to ``'mse'``.
    """

    def __init__(self, kind: str = 'mse') -> None:
        super().__init__()
        if kind not in ('mse', 'kl'):
            raise ValueError(f'unknown consistency {kind!r}')
        self.kind = kind

    def forward(self,
                student_logits: Tensor,
                teacher_probs: Tensor,
                weights: Optional[Tensor] = None) -> Tensor:
        """
        Args:
            student_logits (Tensor): ``(N, K)`` logits.
            teacher_probs (Tensor): ``(N, K)`` detached teacher probabilities.
            weights (Tensor, optional): ``(N,)`` per-sample weights; the
                mean is still over all N samples. Defaults to all ones.
        """
        if self.kind == 'mse':
            # per sample: mean over classes, as the reference implementation
            per_sample = (student_logits.softmax(dim=-1) -
                          teacher_probs).pow(2).mean(dim=-1)
        else:
            per_sample = F.kl_div(
                F.log_softmax(student_logits, dim=-1),
                teacher_probs,
                reduction='none').sum(dim=-1)
        if weights is not None:
            per_sample = per_sample * weights
        return per_sample.mean()
