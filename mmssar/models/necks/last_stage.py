"""Hand only the last stage of a multi-stage backbone to the head."""
from typing import Optional, Sequence

from torch import Tensor, nn

from mmssar.registry import MODELS


@MODELS.register_module()
class LastStageNeck(nn.Module):
    """Pass ``stages[-1]`` on when a backbone returns several stages.

    Algorithms that need intermediate features (LTG's stage alignment) set
    the backbone's ``out_indices`` to several stages; this parameter-free
    neck keeps the recognizer's ordinary ``loss``/``predict`` working, and
    an exported checkpoint stays loadable by the plain recognizer config.
    """

    def forward(self,
                x,
                data_samples: Optional[Sequence] = None) -> tuple:
        if isinstance(x, (tuple, list)):
            x = x[-1]
        return x, dict()

    def init_weights(self) -> None:
        pass
