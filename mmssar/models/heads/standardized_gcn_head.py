"""A GCN classification head that standardises its input feature."""
from mmaction.models.heads import GCNHead
from torch import nn

from mmssar.registry import MODELS


@MODELS.register_module()
class StandardizedGCNHead(GCNHead):
    """:class:`GCNHead` with a ``BatchNorm1d(affine=False)`` in front of its
    linear classifier: the pooled feature is standardised per channel
    (batch statistics in training, running statistics at test time).

    For linear probes of frozen self-supervised encoders: their features
    can have tiny or very unequal scales (a nearly collapsed encoder gives
    features whose differences are ~1e-3 of their norm), which makes a
    plain linear probe ill-conditioned and its result depend on the probe's
    seed and learning rate more than on the representation. Standardising
    is the usual remedy (e.g. the BN-without-affine linear probe of MAE).

    Args: as :class:`GCNHead`. The classifier is ``fc = Sequential(norm,
    linear)`` (state keys ``fc.1.weight`` / ``fc.1.bias``).
    """

    def __init__(self, num_classes: int, in_channels: int, **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        self.fc = nn.Sequential(
            nn.BatchNorm1d(in_channels, affine=False),
            nn.Linear(in_channels, num_classes))
