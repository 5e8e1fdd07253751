"""Loops and hooks of mmssar."""
from .hooks import EMATeacherHook, PreciseBNHook, PretrainedRecognizerHook
from .runner import (SemiEpochBasedTrainLoop, SemiIterBasedTrainLoop,
                     SemiLoopCheckpointHook)

__all__ = [
    'EMATeacherHook', 'PreciseBNHook', 'PretrainedRecognizerHook',
    'SemiIterBasedTrainLoop', 'SemiEpochBasedTrainLoop',
    'SemiLoopCheckpointHook'
]
