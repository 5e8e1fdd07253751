"""Losses of mmssar (registered into ``mmssar.registry.MODELS``)."""
from .contrastive import InfoNCELoss  # noqa: F401
from .feature_alignment import FeatureAlignmentLoss  # noqa: F401
from .pseudo_label_loss import ConsistencyLoss, MaskedCrossEntropyLoss  # noqa: F401,E501
from .reliable_supcon import ReliableSupConLoss  # noqa: F401
from .nt_xent import NTXentLoss, nt_xent  # noqa: F401
from .local_local_contrastive import LocalLocalContrastiveLoss  # noqa: F401
from .global_local_contrastive import GlobalLocalContrastiveLoss  # noqa: F401
