"""Loops and hooks of mmssar."""
from .hooks import EMATeacherHook
from .runner import (SemiEpochBasedTrainLoop, SemiIterBasedTrainLoop,
                     SemiLoopCheckpointHook)

__all__ = [
    'EMATeacherHook', 'SemiIterBasedTrainLoop', 'SemiEpochBasedTrainLoop',
    'SemiLoopCheckpointHook'
]
