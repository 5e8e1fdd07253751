"""Loops and hooks of mmssar."""
from .hooks import EMATeacherHook, PreciseBNHook
from .runner import (SemiEpochBasedTrainLoop, SemiIterBasedTrainLoop,
                     SemiLoopCheckpointHook)

__all__ = [
    'EMATeacherHook', 'PreciseBNHook', 'SemiIterBasedTrainLoop', 'SemiEpochBasedTrainLoop',
    'SemiLoopCheckpointHook'
]
