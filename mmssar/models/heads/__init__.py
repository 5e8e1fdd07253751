from .cross_scale_calibration import CrossScaleCalibration
from .projection_head import ProjectionHead
from .sefar_fusion_head import SeFARFusionHead
from .standardized_gcn_head import StandardizedGCNHead
from .temporal_slice_projector import TemporalSliceProjector

__all__ = [
    'CrossScaleCalibration', 'ProjectionHead', 'SeFARFusionHead',
    'StandardizedGCNHead', 'TemporalSliceProjector'
]
