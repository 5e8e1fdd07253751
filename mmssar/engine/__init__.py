"""Loops and hooks of mmssar."""
from .hooks import (EMATeacherHook, FiniteCheckpointHook, PreciseBNHook,
                    PretrainedRecognizerHook)
from .runner import (SemiEpochBasedTrainLoop, SemiIterBasedTrainLoop,
                     SemiLoopCheckpointHook)
from .safeguards import install_safeguards

__all__ = [
    'EMATeacherHook', 'FiniteCheckpointHook', 'PreciseBNHook',
    'SemiIterBasedTrainLoop', 'SemiEpochBasedTrainLoop',
    'SemiLoopCheckpointHook', 'install_safeguards', 'PretrainedRecognizerHook'
]
