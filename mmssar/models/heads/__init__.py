from .projection_head import ProjectionHead
from .sefar_fusion_head import SeFARFusionHead

__all__ = ['ProjectionHead', 'SeFARFusionHead']
