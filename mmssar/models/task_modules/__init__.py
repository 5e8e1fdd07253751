from .pseudo_labelers import PseudoLabeler
from .thresholds import FixedThreshold
from .weight_schedules import RampUpWeight
from .mc_dropout_weighter import MCDropoutWeighter
from .sine_ramp_weight import SineRampWeight
from .tube_token_mix import TubeTokenMix

__all__ = [
    'FixedThreshold', 'PseudoLabeler', 'RampUpWeight', 'MCDropoutWeighter',
    'SineRampWeight', 'TubeTokenMix'
]
