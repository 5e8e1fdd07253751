from .pseudo_labelers import PseudoLabeler
from .thresholds import FixedThreshold
from .weight_schedules import RampUpWeight

__all__ = ['FixedThreshold', 'PseudoLabeler', 'RampUpWeight']
