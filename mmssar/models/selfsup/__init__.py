"""Self-supervised pre-training models (registered into ``MODELS``)."""
from .queue import FeatureQueue, gather_from_all_ranks  # noqa: F401
from .scdnet_pretrainer import (SCDNetPretrainer,  # noqa: F401
                                info_nce_with_queue)
