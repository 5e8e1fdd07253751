from .acl_mtl import ACLMTLRecognizer
from .base import SemiRecognizer
from .fixmatch import FixMatchRecognizer
from .ltg import LTGRecognizer
from .mean_teacher import MeanTeacherRecognizer
from .semi_step import PseudoLabels, SemiBatch, SemiLosses, SemiStep

__all__ = [
    'ACLMTLRecognizer', 'SemiRecognizer', 'FixMatchRecognizer',
    'MeanTeacherRecognizer',
    'LTGRecognizer', 'PseudoLabels', 'SemiBatch', 'SemiLosses', 'SemiStep'
]
