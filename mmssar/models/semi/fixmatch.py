"""FixMatch (Sohn et al., NeurIPS 2020) for video and skeletons."""
from typing import Dict, List, Optional

from torch import Tensor

from mmssar.registry import MODELS, TASK_UTILS
from .base import SemiRecognizer
from .semi_step import PseudoLabels, SemiStep


@MODELS.register_module()
class FixMatchRecognizer(SemiRecognizer):
    """Confident pseudo-labels of the weak view supervise the strong view.

    ``semi_train_cfg`` keys (besides the base ones):

    - ``threshold`` (float | dict): τ, or a weighter config such as
      ``dict(type='FixedThreshold', threshold=0.95)``; it is the first
      weighter. Defaults to 0.95.
    - ``pseudo_labeler`` (dict): ``dict(type='PseudoLabeler', hard=True)``;
      ``hard=False, temperature=T`` gives sharpened soft targets.
    - ``pseudo_label_source``: ``'student'`` (weak view through the student,
      stop-gradient; the paper) or the name of a teacher (weak view through
      it, e.g. ``'teacher'`` for the EMA teacher). Defaults to
      ``'student'``.
    - ``loss`` (dict): ``dict(type='MaskedCrossEntropyLoss',
      normalize='all')``.
    - ``distribution_alignment`` (dict, optional): e.g.
      ``dict(type='DistributionAlignment', num_classes=K)``; aligns the
      weak probabilities before targets and weighters. Defaults to None.

    The unlabeled pipeline must produce views ``weak`` and ``strong``.
    """

    train_cfg_defaults = dict(
        threshold=0.95,
        pseudo_labeler=dict(type='PseudoLabeler'),
        pseudo_label_source='student',
        loss=dict(type='MaskedCrossEntropyLoss'),
        distribution_alignment=None)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cfg = self.semi_train_cfg
        self.pseudo_labeler = TASK_UTILS.build(cfg['pseudo_labeler'])
        self.unsup_loss = MODELS.build(cfg['loss'])
        self.source = cfg['pseudo_label_source']
        da = cfg['distribution_alignment']
        self.distribution_alignment = None if da is None else \
            TASK_UTILS.build(da)
        if self.source == 'student':
            self.student_views = ('weak', 'strong')
        elif self.source in self.teachers:
            self.student_views = ('strong', )
            self.teacher_views = {self.source: ('weak', )}
        else:
            raise ValueError(
                f'pseudo_label_source must be "student" or a teacher name '
                f'({sorted(self.teachers)}), got {self.source!r}')

    def default_weighters(self) -> List[dict]:
        threshold = self.semi_train_cfg['threshold']
        if isinstance(threshold, (int, float)):
            threshold = dict(type='FixedThreshold', threshold=threshold)
        return [threshold]

    def make_pseudo_labels(self, weak_logits: Tensor,
                           step: Optional[SemiStep] = None) -> PseudoLabels:
        """``(M, K)`` weak-view logits -> probabilities and targets."""
        weak_logits = weak_logits.detach()
        probs = weak_logits.softmax(dim=-1)
        if self.distribution_alignment is not None:
            probs = self.distribution_alignment(probs, step)
            # the targets follow the aligned distribution: softmax(log p / T)
            # is p sharpened by T, argmax(log p) is argmax(p)
            weak_logits = probs.clamp(min=1e-12).log()
        return PseudoLabels(probs, self.pseudo_labeler(weak_logits),
                            probs.new_ones(probs.shape[0]))

    def pseudo_labels(self, step: SemiStep) -> PseudoLabels:
        outputs = (step.student if self.source == 'student' else
                   step.teachers[self.source])
        return self.make_pseudo_labels(outputs['weak'].logits, step)

    def log_values(self) -> Dict[str, float]:
        out = super().log_values()
        if self.distribution_alignment is not None:
            out.update(self.distribution_alignment.log_values())
        return out

    def _is_bookkeeping(self, name: str) -> bool:
        return super()._is_bookkeeping(name) or name.startswith(
            'distribution_alignment.')

    def unsupervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        p = step.pseudo
        return dict(loss_cls=self.unsup_loss(step.student['strong'].logits,
                                             p.targets, p.weights))
