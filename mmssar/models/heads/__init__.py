from .projection_head import ProjectionHead
from .temporal_slice_projector import TemporalSliceProjector

__all__ = ['ProjectionHead', 'TemporalSliceProjector']
