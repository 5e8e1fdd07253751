"""Per-class pseudo-label diagnostics around the weighters of an algorithm."""
from typing import Dict, List, Optional

import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS
from ..utils.dist_utils import all_reduce_sum


@TASK_UTILS.register_module()
class ClassWiseMonitor(nn.Module):
    """Weighters whose combined mask is measured class by class.

    Wraps a list of weighters (their product is returned, so it replaces
    them in place, e.g. as FixMatch's ``threshold``) and logs, for each class
    ``k``, from the global batch (counts all-reduced):

    - ``pl_share/c{k}``: fraction of the unlabeled samples pseudo-labelled
      ``k`` (a collapse onto few classes shows here);
    - ``mask_ratio/c{k}``: mean weight of the samples pseudo-labelled ``k``
      (how much of class ``k``'s pseudo-labels the weighters keep);
    - ``pl_acc/c{k}``: among samples whose hidden label is ``k``, the share
      pseudo-labelled ``k`` (recall; only samples with hidden label >= 0);
    - ``pl_acc_kept/c{k}``: among samples pseudo-labelled ``k``, with a
      hidden label and a positive weight, the weighted share that is
      correct (precision of what the loss actually uses).

    A key is left out of an iteration whose denominator is 0 on all ranks,
    so the logger's window mean only averages measured values. The inner
    weighters' own ``log_values`` are passed on.

    Args:
        num_classes (int): Number of classes K.
        weighters (list[dict]): ``TASK_UTILS`` configs of the wrapped
            weighters, applied and multiplied in order. Defaults to none
            (all weights 1: pure monitoring).
    """

    def __init__(self,
                 num_classes: Optional[int] = None,
                 weighters: Optional[List[dict]] = None) -> None:
        super().__init__()
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f'ClassWiseMonitor: num_classes must be a '
                             f'positive int, got {num_classes!r}')
        self.num_classes = num_classes
        self.weighters = nn.ModuleList(
            [TASK_UTILS.build(w) for w in (weighters or [])])
        self._values: Dict[str, float] = {}

    @torch.no_grad()
    def forward(self, probs: Tensor, step=None) -> Tensor:
        """A per-sample weighter (see ``SemiRecognizer.apply_weighters``).

        Args:
            probs (Tensor): ``(M, K)`` pseudo-label probabilities.
            step (SemiStep, optional): Its
                ``step.batch.unsup_meta['hidden_labels']`` ``(M,)`` (-1 =
                unknown) give the accuracies; without it only shares and
                mask ratios are measured.

        Returns:
            Tensor: ``(M,)`` product of the wrapped weighters' weights.
        """
        if probs.dim() != 2 or probs.shape[1] != self.num_classes:
            raise ValueError(
                f'ClassWiseMonitor(num_classes={self.num_classes}) got '
                f'probabilities of shape {tuple(probs.shape)}')
        weights = probs.new_ones(probs.shape[0])
        for weighter in self.weighters:
            weights = weights * weighter(probs, step)
        self._measure(probs.detach(), weights.detach(), step)
        return weights

    def _measure(self, probs: Tensor, weights: Tensor, step) -> None:
        k = self.num_classes
        pred = nn.functional.one_hot(probs.argmax(dim=-1), k).double()
        hidden = None
        if step is not None:
            hidden = step.batch.unsup_meta.get('hidden_labels')
        if hidden is None:
            hidden = torch.full((probs.shape[0], ), -1, dtype=torch.long)
        hidden = hidden.to(probs.device).long()
        known = hidden >= 0
        truth = nn.functional.one_hot(hidden.clamp(min=0), k).double() * \
            known[:, None]
        w = weights.double()[:, None]
        stats = torch.stack([
            pred.sum(0),  # pseudo-labelled k
            (pred * w).sum(0),  # their weight
            truth.sum(0),  # hidden label k
            (truth * pred).sum(0),  # hidden k, pseudo-labelled k
            (pred * w * known[:, None]).sum(0),  # weight, known, pl k
            (pred * w * truth).sum(0),  # ... and correct
        ])
        stats = all_reduce_sum(stats)
        n_pl, w_pl, n_true, n_hit, w_known, w_hit = stats.unbind()
        total = n_pl.sum()
        values = {}
        for c in range(k):
            if total > 0:
                values[f'pl_share/c{c}'] = float(n_pl[c] / total)
            if n_pl[c] > 0:
                values[f'mask_ratio/c{c}'] = float(w_pl[c] / n_pl[c])
            if n_true[c] > 0:
                values[f'pl_acc/c{c}'] = float(n_hit[c] / n_true[c])
            if w_known[c] > 0:
                values[f'pl_acc_kept/c{c}'] = float(w_hit[c] / w_known[c])
        self._values = values

    def log_values(self) -> Dict[str, float]:
        out = {}
        for weighter in self.weighters:
            if hasattr(weighter, 'log_values'):
                out.update(weighter.log_values())
        out.update(self._values)
        return out
