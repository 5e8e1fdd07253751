"""SeFAR's fusion head over per-element features."""
from itertools import combinations
from typing import Sequence, Union

import torch
from mmaction.models.heads.base import BaseHead
from torch import Tensor, nn

from mmssar.registry import MODELS


def _projection(in_dim: int, out_dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_dim, out_dim), nn.GELU(),
                         nn.LayerNorm(out_dim))


@MODELS.register_module()
class SeFARFusionHead(BaseHead):
    """Fuse the features of ``n`` temporal elements and classify.

    With ``f_k`` the pooled feature of element ``k`` (``(B, C)``):

    - unary ``u_k = LN(GELU(W_u f_k))``, ``W_u: C -> D`` shared over k;
    - pairwise ``g_jk = LN(GELU(W_p [f_j; f_k]))`` for every pair j < k,
      ``W_p: 2C -> D`` shared;
    - ``h = LN(GELU(W_g [g_01; g_02; ...; u_0; u_1; ...]))`` (pairs in
      lexicographic order, then unaries: SeFAR's order),
      ``W_g: (n(n-1)/2 + n)·D -> D``;
    - ``Dropout(p)`` then ``fc_cls: D -> num_classes``.

    Any backbone's features work: element features with extra axes
    (``(B, C, T, H, W)`` of a CNN) are average-pooled, ``(B, C)`` (the CLS
    token of TimeSformer) are used as they are. It is a stock MMAction2
    head: ``loss``/``predict`` (multi-view averaging by ``average_clips``)
    come from ``BaseHead``.

    Args:
        num_classes (int): Classes.
        in_channels (int): C.
        num_elements (int): n. Defaults to 3.
        fusion_dim (int): D. Defaults to 256.
        dropout_ratio (float): Dropout before ``fc_cls``. Defaults to 0.5
            (hard-coded in SeFAR).
        init_std (float): Std of the linear weights. Defaults to 0.02.
        **kwargs: ``BaseHead`` arguments (``loss_cls``, ``average_clips``,
            ...).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 num_elements: int = 3,
                 fusion_dim: int = 256,
                 dropout_ratio: float = 0.5,
                 init_std: float = 0.02,
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        if num_elements < 2:
            raise ValueError(f'num_elements must be >= 2, got {num_elements}')
        self.num_elements = num_elements
        self.fusion_dim = fusion_dim
        self.init_std = init_std
        self.pairs = list(combinations(range(num_elements), 2))
        self.unary = _projection(in_channels, fusion_dim)
        self.pairwise = _projection(2 * in_channels, fusion_dim)
        self.fuse = _projection((len(self.pairs) + num_elements) * fusion_dim,
                                fusion_dim)
        self.dropout = nn.Dropout(p=dropout_ratio) if dropout_ratio > 0 \
            else nn.Identity()
        self.fc_cls = nn.Linear(fusion_dim, num_classes)

    def init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=self.init_std)
                nn.init.zeros_(m.bias)

    @staticmethod
    def _pool(x: Tensor) -> Tensor:
        return x.flatten(2).mean(dim=2) if x.dim() > 2 else x

    def forward(self, x: Union[Sequence[Tensor], Tensor], **kwargs) -> Tensor:
        """Classify.

        Args:
            x (Sequence[Tensor]): ``n`` element features, ``(B, C, ...)``.

        Returns:
            Tensor: ``(B, num_classes)`` logits.
        """
        if isinstance(x, Tensor) or len(x) != self.num_elements:
            got = 'a tensor' if isinstance(x, Tensor) else f'{len(x)}'
            raise ValueError(
                f'SeFARFusionHead(num_elements={self.num_elements}) needs one '
                f'feature per element (use ElementGroupBackbone); got {got}')
        feats = [self._pool(f) for f in x]
        pairs = [self.pairwise(torch.cat([feats[j], feats[k]], dim=1))
                 for j, k in self.pairs]
        units = [self.unary(f) for f in feats]
        h = self.fuse(torch.cat(pairs + units, dim=1))
        return self.fc_cls(self.dropout(h))
