from .base import PseudoLabels, SemiRecognizer
from .fixmatch import FixMatchRecognizer
from .mean_teacher import MeanTeacherRecognizer

__all__ = [
    'SemiRecognizer', 'PseudoLabels', 'FixMatchRecognizer',
    'MeanTeacherRecognizer'
]
