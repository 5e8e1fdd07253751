from .cross_scale_calibration import CrossScaleCalibration
from .projection_head import ProjectionHead

__all__ = ['CrossScaleCalibration', 'ProjectionHead']
