"""Memories kept across iterations, synchronised across ranks.

Each is an ``nn.Module`` whose state lives in buffers (saved in checkpoints,
restored on resume, moved by ``.to()``) and whose updates are collectives
that leave every rank with the same state.
"""
from .class_prototypes import ClassPrototypes
from .feature_bank import FeatureBank

__all__ = ['ClassPrototypes', 'FeatureBank']
