from .base import PseudoLabels, SemiRecognizer
from .fixmatch import FixMatchRecognizer
from .ltg import LTGRecognizer
from .mean_teacher import MeanTeacherRecognizer

__all__ = [
    'SemiRecognizer', 'PseudoLabels', 'FixMatchRecognizer',
    'MeanTeacherRecognizer', 'LTGRecognizer'
]
