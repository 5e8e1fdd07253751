from .class_wise_monitor import ClassWiseMonitor
from .distribution_alignment import DistributionAlignment
from .flexmatch_threshold import FlexMatchThreshold
from .freematch_threshold import FreeMatchThreshold
from .gmm_reliability import GMMReliability
from .prototype_confidence import PrototypeConfidence
from .pseudo_labelers import PseudoLabeler
from .thresholds import FixedThreshold
from .weight_schedules import RampUpWeight
from .mc_dropout_weighter import MCDropoutWeighter
from .sine_ramp_weight import SineRampWeight
from .tube_token_mix import TubeTokenMix

__all__ = [
    'ClassWiseMonitor', 'DistributionAlignment', 'FixedThreshold',
    'FlexMatchThreshold', 'FreeMatchThreshold', 'GMMReliability',
    'MCDropoutWeighter', 'PrototypeConfidence', 'PseudoLabeler',
    'RampUpWeight', 'SineRampWeight', 'TubeTokenMix'
]
