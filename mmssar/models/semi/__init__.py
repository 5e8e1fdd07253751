from .base import SemiRecognizer
from .fixmatch import FixMatchRecognizer
from .ltg import LTGRecognizer
from .mean_teacher import MeanTeacherRecognizer
from .timebalance import TimeBalanceRecognizer
from .semi_step import PseudoLabels, SemiBatch, SemiLosses, SemiStep

__all__ = [
    'SemiRecognizer', 'FixMatchRecognizer', 'MeanTeacherRecognizer',
    'LTGRecognizer', 'TimeBalanceRecognizer', 'PseudoLabels', 'SemiBatch', 'SemiLosses', 'SemiStep'
]
