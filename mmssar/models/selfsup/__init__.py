"""Self-supervised pre-training models (registered into ``MODELS``)."""
from .collapse_metrics import (effective_rank, embedding_std,  # noqa: F401
                               partner_retrieval)
from .scdnet_pretrainer import (SCDNetPretrainer,  # noqa: F401
                                info_nce_in_batch, info_nce_with_queue)
from .temporal_contrastive_pretrainer import \
    TemporalContrastivePretrainer  # noqa: F401
