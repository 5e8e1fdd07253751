"""Run one shared backbone on each of SeFAR's temporal elements."""
import contextlib
from typing import Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmssar.utils.temporal_elements import element_groups
from mmssar.registry import MODELS


@MODELS.register_module()
class ElementGroupBackbone(BaseModule):
    """Split a clip into SeFAR's temporal elements and encode each with the
    same backbone.

    The input is the ``S``-frame clip of
    :class:`~mmssar.datasets.transforms.ElementGroupSample` (frames in time
    order); element ``k`` is the frames at ``element_groups(sizes)[k]``
    (``(2, 2, 4)`` -> positions ``(3, 7)``, ``(1, 5)``, ``(0, 2, 4, 6)``).
    The output is the tuple of per-element features, for
    :class:`~mmssar.models.heads.SeFARFusionHead`.

    Per-element temporal embeddings: a backbone with a learned absolute
    ``time_embed`` (MMAction2's ``TimeSformer``) gets one embedding per
    element, ``(1, n_k, D)``, zero-initialised as in SeFAR, swapped in for
    that element's pass (its own ``time_embed`` is removed; attention
    modules are told the element's frame count). Convolutional backbones
    have no absolute time position to embed: the element identity reaches
    the fusion head through the position of its feature in the tuple.

    Args:
        backbone (dict): Config of the shared backbone; it must accept
            ``(B, C, n_k, H, W)`` clips of every element length (e.g. a
            SlowOnly without temporal strides, or TimeSformer).
        element_sizes (Sequence[int]): Defaults to ``(2, 2, 4)``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 element_sizes: Sequence[int] = (2, 2, 4),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.element_sizes = tuple(int(n) for n in element_sizes)
        self.groups = element_groups(self.element_sizes)
        self.num_frames = sum(self.element_sizes)
        self.time_embeds = None
        embed = getattr(self.backbone, 'time_embed', None)
        if isinstance(embed, nn.Parameter):
            dim = embed.shape[-1]
            self.time_embeds = nn.ParameterList([
                nn.Parameter(torch.zeros(1, n, dim))
                for n in self.element_sizes
            ])
            del self.backbone.time_embed
        for k, group in enumerate(self.groups):
            self.register_buffer(f'group_{k}', torch.tensor(group),
                                 persistent=False)

    @contextlib.contextmanager
    def _element(self, k: int):
        """Set the backbone up for element ``k``: modules that count frames
        (TimeSformer and its attention layers) see ``n_k``, and the
        element's time embedding is swapped in."""
        n = self.element_sizes[k]
        counted = [m for m in self.backbone.modules()
                   if isinstance(getattr(m, 'num_frames', None), int)]
        saved = [m.num_frames for m in counted]
        for m in counted:
            m.num_frames = n
        if self.time_embeds is not None:
            self.backbone.time_embed = self.time_embeds[k]
        try:
            yield
        finally:
            if self.time_embeds is not None:
                del self.backbone.time_embed
            for m, value in zip(counted, saved):
                m.num_frames = value

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Encode every element.

        Args:
            x (Tensor): ``(B, C, S, H, W)`` clips.

        Returns:
            tuple[Tensor]: Per element, the backbone's output for
            ``(B, C, n_k, H, W)``.
        """
        if x.dim() != 5 or x.shape[2] != self.num_frames:
            raise ValueError(
                f'ElementGroupBackbone(element_sizes={self.element_sizes}) '
                f'expects (B, C, {self.num_frames}, H, W) clips, got '
                f'{tuple(x.shape)}; sample them with ElementGroupSample')
        outs = []
        for k in range(len(self.groups)):
            with self._element(k):
                outs.append(self.backbone(
                    x.index_select(2, getattr(self, f'group_{k}'))))
        return tuple(outs)
