from .class_wise_monitor import ClassWiseMonitor
from .distribution_alignment import DistributionAlignment
from .flexmatch_threshold import FlexMatchThreshold
from .freematch_threshold import FreeMatchThreshold
from .gmm_reliability import GMMReliability
from .prototype_confidence import PrototypeConfidence
from .pseudo_labelers import PseudoLabeler
from .thresholds import FixedThreshold
from .weight_schedules import RampUpWeight

__all__ = [
    'ClassWiseMonitor', 'DistributionAlignment', 'FixedThreshold',
    'FlexMatchThreshold', 'FreeMatchThreshold', 'GMMReliability',
    'PrototypeConfidence', 'PseudoLabeler',
    'RampUpWeight'
]
