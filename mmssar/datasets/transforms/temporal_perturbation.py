"""SeFAR's temporal perturbations of the strong view (pipeline version).

The batched, on-device counterpart is
:class:`mmssar.models.data_preprocessors.BatchTemporalPerturbation`; both
draw their frame orders with :func:`perturbed_order`.
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS
from mmssar.utils.temporal_elements import (  # noqa: F401
    PERTURBATION_MODES, SCOPES, element_groups, perturbed_groups,
    perturbed_order)

@TRANSFORMS.register_module()
class TemporalPerturbation(BaseTransform):
    """Perturb the time order of SeFAR's temporal elements (strong view).

    Works on decoded frames (``imgs``: a list of ``num_clips * clip_len``
    ``H x W x C`` arrays, before ``FormatShape``); each clip is perturbed on
    its own, all clips of a sample share the draw.

    - Paper (Mod-Perturb, the default): ``mode='reverse', scope='fine'``
      reverses the order inside each fine element, context left intact.
    - Table 4 ablations: all reverse (``reverse``, ``'elements'`` or
      ``'clip'``), local shuffle (``shuffle``, ``'fine'``/``'elements'``),
      all shuffle (``shuffle``, ``'clip'``), warping (``warp``, ``'clip'``).
    - ``mode='channel_flip', channel_dropout=0.2`` reproduces the OFFICIAL
      CODE'S BUG: it flips dimension 1 of ``(B, C, T, H, W)`` fine-element
      tensors, i.e. swaps the colour channels (RGB -> BGR) and leaves time
      alone, then drops whole colour channels with p = 0.2. Offered only to
      compare against the released code.

    Args:
        mode (str): See :data:`PERTURBATION_MODES`. Defaults to 'reverse'.
        scope (str): See :func:`perturbed_groups`. Defaults to 'fine'.
        element_sizes (Sequence[int]): Element sizes of the sampler.
            Defaults to ``(2, 2, 4)``.
        channel_dropout (float): Probability of zeroing one colour channel
            of one element (inverted dropout: kept channels are scaled by
            ``1 / (1 - p)`` around ``dropout_center``). Defaults to 0.
        dropout_center (float | Sequence[float]): Pixel value that plays the
            role of 0 (the normalisation mean, so that dropping matches the
            official dropout on normalised clips). Defaults to 0.
    """

    def __init__(self,
                 mode: str = 'reverse',
                 scope: str = 'fine',
                 element_sizes: Sequence[int] = (2, 2, 4),
                 channel_dropout: float = 0.,
                 dropout_center=0.) -> None:
        if mode not in PERTURBATION_MODES:
            raise ValueError(
                f'mode must be one of {PERTURBATION_MODES}, got {mode!r}')
        if not 0. <= channel_dropout < 1.:
            raise ValueError(
                f'channel_dropout must be in [0, 1), got {channel_dropout}')
        self.mode = mode
        self.scope = scope
        self.element_sizes = tuple(element_sizes)
        self.groups = perturbed_groups(self.element_sizes, scope)
        self.num_frames = sum(self.element_sizes)
        self.channel_dropout = float(channel_dropout)
        self.dropout_center = np.asarray(dropout_center, dtype=np.float32)

    def transform(self, results: Dict) -> Dict:
        imgs = results['imgs']
        t = self.num_frames
        if len(imgs) % t:
            raise ValueError(
                f'TemporalPerturbation(element_sizes={self.element_sizes}) '
                f'expects clips of {t} frames; '
                f'{results.get("filename", "the sample")} has {len(imgs)}')
        order = perturbed_order(self.mode, self.groups, t).tolist()
        flip = set(p for g in self.groups for p in g) \
            if self.mode == 'channel_flip' else set()
        drop = self._channel_masks(imgs[0].shape[-1]) \
            if self.channel_dropout > 0 else None
        out = []
        for start in range(0, len(imgs), t):
            for pos, src in enumerate(order):
                img = imgs[start + src]
                if pos in flip:
                    img = np.ascontiguousarray(img[..., ::-1])
                if drop is not None:
                    c = self.dropout_center
                    img = (c + (img.astype(np.float32) - c) *
                           drop[pos]).astype(np.float32)
                out.append(img)
        results['imgs'] = out
        return results

    def _channel_masks(self, channels: int) -> np.ndarray:
        """``(T, C)`` scale per frame and channel, one draw per element."""
        keep = 1. - self.channel_dropout
        masks = np.ones((self.num_frames, channels), np.float32)
        for group in element_groups(self.element_sizes):
            kept = torch.rand(channels) < keep
            masks[list(group)] = kept.float().numpy() / keep
        return masks

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, '
                f'scope={self.scope!r}, element_sizes={self.element_sizes}, '
                f'channel_dropout={self.channel_dropout})')
