"""Mean Teacher (Tarvainen & Valpola, NeurIPS 2017) for video and skeletons."""
from typing import Dict

from torch import Tensor

from mmssar.registry import MODELS
from .base import SemiRecognizer
from .semi_step import PseudoLabels, SemiStep


@MODELS.register_module()
class MeanTeacherRecognizer(SemiRecognizer):
    """Student predictions on the strong view follow the EMA teacher's
    predictions on the weak view.

    ``semi_train_cfg`` keys (besides the base ones):

    - ``loss`` (dict): ``dict(type='ConsistencyLoss', kind='mse')`` (softmax
      MSE, the paper) or ``kind='kl'``; per-sample weighters (none by
      default: every sample counts) scale its terms.

    Use a ramped ``unsup_weight`` (the paper: sigmoid ramp-up), e.g.
    ``dict(type='RampUpWeight', weight=..., rampup=..., shape='sigmoid')``.
    The unlabeled pipeline must produce views ``weak`` and ``strong``.
    """

    train_cfg_defaults = dict(loss=dict(type='ConsistencyLoss'))
    student_views = ('strong', )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.teacher is None or not self.teacher.is_ema:
            raise ValueError('Mean Teacher needs an EMA teacher named '
                             '"teacher"')
        self.teacher_views = dict(teacher=('weak', ))
        self.unsup_loss = MODELS.build(self.semi_train_cfg['loss'])

    def pseudo_labels(self, step: SemiStep) -> PseudoLabels:
        probs = step.teachers['teacher']['weak'].logits.softmax(dim=-1)
        return PseudoLabels(probs, probs, probs.new_ones(probs.shape[0]))

    def unsupervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        p = step.pseudo
        return dict(loss_cons=self.unsup_loss(step.student['strong'].logits,
                                              p.targets, p.weights))
