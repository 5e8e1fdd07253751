from .base import SemiRecognizer
from .fixmatch import FixMatchRecognizer
from .ltg import LTGRecognizer
from .mean_teacher import MeanTeacherRecognizer
from .sefar import SeFARRecognizer
from .semi_step import PseudoLabels, SemiBatch, SemiLosses, SemiStep

__all__ = [
    'SemiRecognizer', 'FixMatchRecognizer', 'MeanTeacherRecognizer',
    'LTGRecognizer', 'SeFARRecognizer', 'PseudoLabels', 'SemiBatch',
    'SemiLosses', 'SemiStep'
]
