from .cross_scale_calibration import CrossScaleCalibration
from .projection_head import ProjectionHead
from .sefar_fusion_head import SeFARFusionHead
from .temporal_slice_projector import TemporalSliceProjector

__all__ = [
    'CrossScaleCalibration', 'ProjectionHead', 'SeFARFusionHead',
    'TemporalSliceProjector'
]
