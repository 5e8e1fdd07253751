"""SeFAR's temporal perturbations on a batch of clips, on the device."""
from typing import Optional, Sequence

import torch
from torch import Tensor, nn

from mmssar.registry import MODELS
from mmssar.utils.temporal_elements import (PERTURBATION_MODES,
                                            element_groups, perturbed_groups,
                                            perturbed_order)


@MODELS.register_module()
class BatchTemporalPerturbation(nn.Module):
    """Batched :class:`~mmssar.datasets.transforms.TemporalPerturbation`.

    For ``SemiDataPreprocessor(view_augments=dict(strong=dict(
    type='BatchTemporalPerturbation')))``: runs after collation, before
    normalisation. Every sample draws its own order (``shuffle``/``warp``);
    all clips of a sample share it. ``mode='channel_flip'`` with
    ``channel_dropout=0.2`` is the released code's behaviour (flip of
    dim 1 of ``(B, C, T, H, W)``: the colour channels) — a documented bug,
    offered for comparison only.

    Layouts (``format_shape``):

    - ``'NCTHW'``: ``(N, num_clips, C, T, H, W)`` or ``(N, C, T, H, W)``;
    - ``'NCHW'``: ``(N, T, C, H, W)`` (segments of a 2D recognizer).

    Args:
        mode (str): ``'reverse'`` (default), ``'shuffle'``, ``'warp'`` or
            ``'channel_flip'``.
        scope (str): ``'fine'`` (default), ``'elements'`` or ``'clip'``.
        element_sizes (Sequence[int]): Defaults to ``(2, 2, 4)``.
        channel_dropout (float): Per (sample, clip, element, channel) drop
            probability, inverted scaling around ``dropout_center``.
            Defaults to 0.
        dropout_center (float | Sequence[float]): Pixel value of a dropped
            channel (the normalisation mean). Defaults to 0.
        format_shape (str): ``'NCTHW'`` or ``'NCHW'``. Defaults to
            ``'NCTHW'``.
    """

    def __init__(self,
                 mode: str = 'reverse',
                 scope: str = 'fine',
                 element_sizes: Sequence[int] = (2, 2, 4),
                 channel_dropout: float = 0.,
                 dropout_center=0.,
                 format_shape: str = 'NCTHW') -> None:
        super().__init__()
        if mode not in PERTURBATION_MODES:
            raise ValueError(
                f'mode must be one of {PERTURBATION_MODES}, got {mode!r}')
        if format_shape not in ('NCTHW', 'NCHW'):
            raise ValueError(
                f'format_shape must be NCTHW or NCHW, got {format_shape!r}')
        if not 0. <= channel_dropout < 1.:
            raise ValueError(
                f'channel_dropout must be in [0, 1), got {channel_dropout}')
        self.mode = mode
        self.scope = scope
        self.element_sizes = tuple(element_sizes)
        self.groups = perturbed_groups(self.element_sizes, scope)
        self.num_frames = sum(self.element_sizes)
        self.channel_dropout = float(channel_dropout)
        self.format_shape = format_shape
        center = torch.as_tensor(dropout_center, dtype=torch.float32)
        self.register_buffer('center', center.reshape(-1), persistent=False)
        # frame position -> element index
        element_of = torch.zeros(self.num_frames, dtype=torch.long)
        for k, group in enumerate(element_groups(self.element_sizes)):
            element_of[list(group)] = k
        self.register_buffer('element_of', element_of, persistent=False)
        flip = torch.zeros(self.num_frames, dtype=torch.bool)
        if mode == 'channel_flip':
            flip[[p for g in self.groups for p in g]] = True
        self.register_buffer('flip', flip, persistent=False)

    def _to_ncthw(self, x: Tensor) -> Tensor:
        """Any accepted layout -> ``(N, clips, C, T, H, W)`` (a view)."""
        if self.format_shape == 'NCTHW' and x.dim() == 6:
            return x
        if self.format_shape == 'NCTHW' and x.dim() == 5:
            return x.unsqueeze(1)
        if self.format_shape == 'NCHW' and x.dim() == 5:
            return x.permute(0, 2, 1, 3, 4).unsqueeze(1)
        raise ValueError(
            f'BatchTemporalPerturbation(format_shape={self.format_shape!r}) '
            f'got a {x.dim()}-D input of shape {tuple(x.shape)}; expected '
            '(N, num_clips, C, T, H, W) / (N, C, T, H, W) for NCTHW, '
            '(N, T, C, H, W) for NCHW')

    def _from_ncthw(self, y: Tensor, like: Tensor) -> Tensor:
        if self.format_shape == 'NCTHW':
            return y.reshape(like.shape)
        return y.squeeze(1).permute(0, 2, 1, 3, 4)

    @torch.no_grad()
    def forward(self, inputs: Tensor,
                generator: Optional[torch.Generator] = None) -> Tensor:
        """Perturb a batch.

        Args:
            inputs (Tensor): See the class docstring; un-normalised values.
            generator (torch.Generator, optional): CPU generator for the
                draws; torch's global RNG when None.

        Returns:
            Tensor: Same shape and device; float when channels are dropped,
            else the input's dtype.
        """
        x = self._to_ncthw(inputs)
        n, clips, c, t, h, w = x.shape
        if t != self.num_frames:
            raise ValueError(
                f'BatchTemporalPerturbation(element_sizes='
                f'{self.element_sizes}) expects {self.num_frames} frames, '
                f'got {t} (input shape {tuple(inputs.shape)})')
        orders = torch.stack([
            perturbed_order(self.mode, self.groups, t, generator)
            for _ in range(n)
        ]).to(x.device)  # (N, T)
        index = orders.view(n, 1, 1, t, 1, 1).expand(n, clips, c, t, h, w)
        y = x.gather(3, index)
        if self.flip.any():
            flipped = y.flip(2)
            y = torch.where(self.flip.view(1, 1, 1, t, 1, 1), flipped, y)
        if self.channel_dropout > 0:
            keep = 1. - self.channel_dropout
            groups = len(self.element_sizes)
            kept = (torch.rand((n, clips, c, groups), generator=generator) <
                    keep).float().to(x.device) / keep
            scale = kept[..., self.element_of]  # (N, clips, C, T)
            center = self.center.to(x.device).view(1, 1, -1, 1, 1, 1)
            y = center + (y.float() - center) * scale[..., None, None]
        return self._from_ncthw(y, inputs)

    def extra_repr(self) -> str:
        return (f'mode={self.mode!r}, scope={self.scope!r}, '
                f'element_sizes={self.element_sizes}, '
                f'channel_dropout={self.channel_dropout}, '
                f'format_shape={self.format_shape!r}')
