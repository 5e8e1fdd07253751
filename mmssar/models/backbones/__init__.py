"""Backbones (registered into ``mmssar.registry.MODELS``)."""
from .scdnet import SCDNetEncoder, SCDNetProjector  # noqa: F401
from .element_group_backbone import ElementGroupBackbone  # noqa: F401
