"""Temporal-slice pooling and TimeBalance's projection MLP."""
from typing import Optional, Tuple

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmssar.registry import MODELS


@MODELS.register_module()
class TemporalSliceProjector(BaseModule):
    """Pool a 3D feature map to temporal slices and project them.

    The map ``(N, C, T, H, W)`` is average-pooled to ``(N, C, S)`` (S
    temporal slices, ``adaptive_avg_pool3d`` to ``(S, 1, 1)``). The global
    embedding is the projection of the slices' mean, the local embeddings
    the projection of each slice. Projection (TimeBalance ``mlp_r50``):
    ``Linear(C, hidden) - BN - ReLU - Linear(hidden, out, no bias) - BN``,
    then L2 normalisation.

    Args:
        in_channels (int): C (2048 for SlowOnly-R50).
        hidden_channels (int): Defaults to 128.
        out_channels (int): Defaults to 128.
        num_slices (int): S. Defaults to 4.
        init_cfg (dict, optional): Defaults to None (PyTorch defaults).
    """

    def __init__(self, in_channels: int, hidden_channels: int = 128,
                 out_channels: int = 128, num_slices: int = 4,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_slices = num_slices
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, hidden_channels),
            nn.BatchNorm1d(hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, out_channels, bias=False),
            nn.BatchNorm1d(out_channels))

    def project(self, x: Tensor) -> Tensor:
        """``(M, C)`` -> ``(M, out_channels)``, unit L2 norm."""
        return F.normalize(self.mlp(x), dim=-1)

    def forward(self, feat: Tensor,
                with_local: bool = True) -> Tuple[Tensor, Optional[Tensor]]:
        """Args: ``feat`` (N, C, T, H, W).

        Returns:
            tuple: global ``(N, D)`` and local ``(N, S, D)`` embeddings
            (None when ``with_local`` is False).
        """
        if feat.dim() != 5:
            raise ValueError('TemporalSliceProjector expects (N, C, T, H, W),'
                             f' got {tuple(feat.shape)}')
        slices = F.adaptive_avg_pool3d(feat, (self.num_slices, 1, 1))
        slices = slices.flatten(2).transpose(1, 2)  # (N, S, C)
        glob = self.project(slices.mean(1))
        if not with_local:
            return glob, None
        n, s, c = slices.shape
        local = self.project(slices.reshape(n * s, c)).reshape(n, s, -1)
        return glob, local
