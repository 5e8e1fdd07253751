"""Backbones (registered into ``mmssar.registry.MODELS``)."""
from .scdnet import SCDNetEncoder, SCDNetProjector  # noqa: F401
