"""FixMatch (Sohn et al., NeurIPS 2020) for video and skeletons."""
from typing import Dict, Sequence, Tuple

import torch
from torch import Tensor

from mmssar.registry import MODELS, TASK_UTILS
from .base import PseudoLabels, SemiRecognizer

PSEUDO_LABEL_SOURCES = ('student', 'teacher')


@MODELS.register_module()
class FixMatchRecognizer(SemiRecognizer):
    """Confident pseudo-labels of the weak view supervise the strong view.

    ``semi_train_cfg`` keys (besides the base ones):

    - ``threshold`` (float | dict): τ, or a threshold config
      (``dict(type='FixedThreshold', threshold=0.95)``). Defaults to 0.95.
    - ``pseudo_labeler`` (dict): ``dict(type='PseudoLabeler', hard=True)``;
      ``hard=False, temperature=T`` gives sharpened soft targets.
    - ``pseudo_label_source``: ``'student'`` (weak view through the student,
      stop-gradient; the paper) or ``'teacher'`` (weak view through the EMA
      teacher). Defaults to ``'student'``.
    - ``loss`` (dict): ``dict(type='MaskedCrossEntropyLoss',
      normalize='all')``.

    The unlabeled pipeline must produce views ``weak`` and ``strong``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cfg = self.semi_train_cfg
        threshold = cfg.get('threshold', 0.95)
        if isinstance(threshold, (int, float)):
            threshold = dict(type='FixedThreshold', threshold=threshold)
        self.threshold = TASK_UTILS.build(threshold)
        self.pseudo_labeler = TASK_UTILS.build(
            cfg.get('pseudo_labeler', dict(type='PseudoLabeler')))
        self.source = cfg.get('pseudo_label_source', 'student')
        if self.source not in PSEUDO_LABEL_SOURCES:
            raise ValueError(
                f'pseudo_label_source must be one of {PSEUDO_LABEL_SOURCES}')
        if self.source == 'teacher' and self.teacher is None:
            raise ValueError("pseudo_label_source='teacher' needs a teacher")
        self.unsup_loss = MODELS.build(
            cfg.get('loss', dict(type='MaskedCrossEntropyLoss')))
        self.student_views = (('weak', 'strong')
                              if self.source == 'student' else ('strong', ))

    @torch.no_grad()
    def pseudo_label(self, weak_logits: Tensor) -> Tuple[Tensor, Tensor,
                                                         Tensor]:
        """``(N, K)`` weak-view logits -> probabilities, mask, targets."""
        weak_logits = weak_logits.detach()
        probs = weak_logits.softmax(dim=-1)
        return probs, self.threshold(probs), self.pseudo_labeler(weak_logits)

    def loss_unsup(self, student_logits: Dict[str, Tensor],
                   unsup_inputs: Dict[str, Tensor],
                   unsup_samples: Sequence) -> Tuple[dict, PseudoLabels]:
        if self.source == 'student':
            weak = student_logits['weak']
        else:
            weak = self.teacher_logits(unsup_inputs['weak'])
        probs, mask, targets = self.pseudo_label(weak)
        loss = self.unsup_loss(student_logits['strong'], targets, mask)
        return dict(loss_cls=loss), PseudoLabels(probs, mask)
