from .acl_mtl import ACLMTLRecognizer
from .base import SemiRecognizer
from .fixmatch import FixMatchRecognizer
from .ltg import LTGRecognizer
from .mean_teacher import MeanTeacherRecognizer
from .sefar import SeFARRecognizer
from .semi_step import PseudoLabels, SemiBatch, SemiLosses, SemiStep
from .timebalance import TimeBalanceRecognizer

__all__ = [
    'SemiRecognizer', 'FixMatchRecognizer', 'MeanTeacherRecognizer',
    'LTGRecognizer', 'ACLMTLRecognizer', 'TimeBalanceRecognizer',
    'SeFARRecognizer', 'PseudoLabels', 'SemiBatch', 'SemiLosses', 'SemiStep'
]
