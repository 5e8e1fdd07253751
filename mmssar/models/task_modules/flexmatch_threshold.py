"""FlexMatch's curriculum pseudo-labelling: class-wise flexible thresholds."""
from typing import Dict, Optional

import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS
from ..utils.dist_utils import all_gather_rows

_MAPPINGS = ('convex', 'linear')


@TASK_UTILS.register_module()
class FlexMatchThreshold(nn.Module):
    """Class-wise thresholds that follow each class's learning status.

    FlexMatch (Zhang et al., NeurIPS 2021), with the state rules of USB's
    ``FlexMatchThresholdingHook``. A buffer holds, for every sample of the
    unlabeled set, the last class it was predicted with confidence
    ``>= threshold`` (-1: never). The learning status of class ``c`` is
    ``sigma_c`` = the number of samples whose stored class is ``c``, and

    - ``beta_c = sigma_c / max(max_k sigma_k, n_unused)`` with ``warmup``
      (``n_unused``: samples still at -1, so that thresholds stay low
      while most of the set has never been confidently predicted);
    - ``beta_c = sigma_c / max_k sigma_k`` without it;
    - ``beta = 0`` while no sample has ever been confident.

    A sample predicted as ``c`` is kept when its confidence reaches
    ``threshold * M(beta_c)``, with ``M(x) = x / (2 - x)`` (``'convex'``,
    the paper's choice) or ``M(x) = x`` (``'linear'``). The thresholds of a
    step come from the state before it; the step's confident predictions
    then update the buffer, from the ``(sample_idx, class, confident)``
    triples of all ranks gathered in rank order (a sample seen twice keeps
    its last prediction), so every rank holds the same buffer - the one a
    single process fed the concatenated batch would hold. Samples that are
    not confident keep their stored class (as in USB).

    Args:
        threshold (float): The fixed cutoff τ in [0, 1]; both the maximum
            class threshold and the confidence that counts a prediction as
            learned.
        num_samples (int): Size of the unlabeled set; ``sample_idx`` must
            lie in ``[0, num_samples)``.
        num_classes (int): Number of classes K.
        warmup (bool): Count never-confident samples in the normaliser
            (threshold warm-up). Defaults to True.
        mapping (str): ``'convex'`` or ``'linear'``. Defaults to
            ``'convex'``.
    """

    def __init__(self,
                 threshold: float = 0.95,
                 num_samples: Optional[int] = None,
                 num_classes: Optional[int] = None,
                 warmup: bool = True,
                 mapping: str = 'convex') -> None:
        super().__init__()
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f'threshold must be in [0, 1], got {threshold}')
        for name, value in (('num_samples', num_samples),
                            ('num_classes', num_classes)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f'FlexMatchThreshold: {name} must be a positive int '
                    f'(the unlabeled set size / the class count), got '
                    f'{value!r}')
        if mapping not in _MAPPINGS:
            raise ValueError(f'FlexMatchThreshold: mapping must be one of '
                             f'{_MAPPINGS}, got {mapping!r}')
        self.threshold = float(threshold)
        self.num_samples = num_samples
        self.num_classes = num_classes
        self.warmup = bool(warmup)
        self.mapping = mapping
        # long but identical on every rank, so SyncBuffersHook's mean is
        # exact
        self.register_buffer(
            'selected_label', torch.full((num_samples, ), -1,
                                         dtype=torch.long))

    @torch.no_grad()
    def learning_status(self) -> Tensor:
        """``(K,)`` normalised learning status ``beta`` of every class."""
        counts = torch.bincount(self.selected_label + 1,
                                minlength=self.num_classes + 1).float()
        unused, sigma = counts[0], counts[1:]
        if unused == self.num_samples:
            return torch.zeros_like(sigma)
        norm = torch.maximum(sigma.max(), unused) if self.warmup \
            else sigma.max()
        return sigma / norm

    @torch.no_grad()
    def class_thresholds(self) -> Tensor:
        """``(K,)`` threshold of every class, ``threshold * M(beta)``."""
        beta = self.learning_status()
        mapped = beta / (2.0 - beta) if self.mapping == 'convex' else beta
        return self.threshold * mapped

    @torch.no_grad()
    def forward(self, probs: Tensor, step=None) -> Tensor:
        """A per-sample weighter (see ``SemiRecognizer.apply_weighters``).

        Args:
            probs (Tensor): ``(M, K)`` pseudo-label probabilities.
            step (SemiStep): Gives ``step.batch.unsup_meta['sample_idx']``
                ``(M,)``, the samples' indices in the unlabeled set.

        Returns:
            Tensor: ``(M,)`` mask in {0, 1}, of ``probs``' dtype.
        """
        if step is None or 'sample_idx' not in step.batch.unsup_meta:
            raise ValueError(
                'FlexMatchThreshold needs the training step with '
                "step.batch.unsup_meta['sample_idx']")
        if probs.dim() != 2 or probs.shape[1] != self.num_classes:
            raise ValueError(
                f'FlexMatchThreshold(num_classes={self.num_classes}) got '
                f'probabilities of shape {tuple(probs.shape)}')
        idx = step.batch.unsup_meta['sample_idx'].to(probs.device).long()
        bad = idx[(idx < 0) | (idx >= self.num_samples)]
        if bad.numel():
            raise ValueError(
                f'FlexMatchThreshold: sample_idx {int(bad[0])} is outside '
                f'[0, num_samples={self.num_samples}); set num_samples to '
                'the size of the unlabeled set (and make sure the unlabeled '
                'dataset is a SemiDataset, which sets sample_idx)')
        conf, label = probs.detach().max(dim=-1)
        mask = conf >= self.class_thresholds()[label]
        confident = conf >= self.threshold
        self._update(torch.stack([idx, label, confident.long()], dim=1))
        return mask.to(probs.dtype)

    @torch.no_grad()
    def _update(self, triples: Tensor) -> None:
        """Store the confident predictions of all ranks.

        Args:
            triples (Tensor): ``(M, 3)`` long rows ``(sample_idx, class,
                confident)`` of this rank.
        """
        rows = all_gather_rows(triples)
        rows = rows[rows[:, 2] > 0]
        if not rows.numel():
            return
        # a sample seen twice in one global batch keeps its last prediction
        # (rank order), deterministically
        idx, inverse = torch.unique(rows[:, 0], return_inverse=True)
        order = torch.arange(rows.shape[0], device=rows.device)
        last = torch.full_like(idx, -1).scatter_reduce(
            0, inverse, order, reduce='amax')
        self.selected_label[idx] = rows[last, 1]

    def log_values(self) -> Dict[str, float]:
        thresholds = self.class_thresholds()
        out = dict(threshold=float(thresholds.mean()),
                   unused_ratio=float(
                       (self.selected_label < 0).float().mean()))
        out.update({f'threshold/c{k}': float(t)
                    for k, t in enumerate(thresholds)})
        return out
