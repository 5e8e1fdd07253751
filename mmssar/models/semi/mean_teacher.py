"""Mean Teacher (Tarvainen & Valpola, NeurIPS 2017) for video and skeletons."""
from typing import Dict, Sequence, Tuple

from torch import Tensor

from mmssar.registry import MODELS
from .base import PseudoLabels, SemiRecognizer


@MODELS.register_module()
class MeanTeacherRecognizer(SemiRecognizer):
    """Student predictions on the strong view follow the EMA teacher's
    predictions on the weak view.

    ``semi_train_cfg`` keys (besides the base ones):

    - ``loss`` (dict): ``dict(type='ConsistencyLoss', kind='mse')`` (softmax
      MSE, the paper) or ``kind='kl'``.

    Use a ramped ``unsup_weight`` (the paper: sigmoid ramp-up), e.g.
    ``dict(type='RampUpWeight', weight=..., rampup=..., shape='sigmoid')``.
    The unlabeled pipeline must produce views ``weak`` and ``strong``.
    """

    student_views = ('strong', )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.teacher is None:
            raise ValueError('Mean Teacher needs a teacher')
        self.unsup_loss = MODELS.build(
            self.semi_train_cfg.get('loss', dict(type='ConsistencyLoss')))

    def loss_unsup(self, student_logits: Dict[str, Tensor],
                   unsup_inputs: Dict[str, Tensor],
                   unsup_samples: Sequence) -> Tuple[dict, PseudoLabels]:
        probs = self.teacher_logits(unsup_inputs['weak']).softmax(dim=-1)
        loss = self.unsup_loss(student_logits['strong'], probs)
        # every sample contributes to the consistency loss
        return dict(loss_cons=loss), PseudoLabels(probs,
                                                  probs.new_ones(len(probs)))
