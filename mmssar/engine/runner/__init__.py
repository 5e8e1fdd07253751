from .loader_stream import LoaderStream
from .semi_loops import (SemiEpochBasedTrainLoop, SemiIterBasedTrainLoop,
                         SemiLoopCheckpointHook)

__all__ = [
    'LoaderStream', 'SemiIterBasedTrainLoop', 'SemiEpochBasedTrainLoop',
    'SemiLoopCheckpointHook'
]
