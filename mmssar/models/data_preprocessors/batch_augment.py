"""Clip-consistent RandAugment on a batch of clips, on the model's device.

The torch counterpart of
:class:`mmssar.datasets.transforms.VideoRandAugment`: it shares its op list
and magnitude mapping (:mod:`mmssar.utils.randaugment_ops`), but runs after
collation, so the
decoding workers stay cheap and the augmentation runs on the GPU. Every
sample draws its own ops, magnitudes and signs; all frames (and clips /
segments) of one sample get the same ones.

It expects un-normalised pixel values in ``[0, value_range]`` (default 255,
i.e. what ``ActionDataPreprocessor`` receives before it subtracts the mean),
so call it before normalisation.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmssar.registry import MODELS
from mmssar.utils.randaugment_ops import (GEOMETRIC_OPS, LUMA_RGB,
                                          MAX_LEVELS, MAX_MAGNITUDE,
                                          RANDAUG_OPS, SIGNED_OPS,
                                          centred_affine, check_ops,
                                          equalize_lut)


@MODELS.register_module()
class BatchVideoRandAugment(nn.Module):
    """Per-sample, clip-consistent RandAugment on batched tensors.

    Accepted layouts (the channel axis must have 3 entries):

    - ``format_shape='NCTHW'``: ``(N, num_clips, C, T, H, W)`` (what
      ``ActionDataPreprocessor`` gets for 3D recognizers) or
      ``(N, C, T, H, W)``.
    - ``format_shape='NCHW'``: ``(N, num_segs, C, H, W)`` (2D recognizers,
      e.g. TSN / TSM) or ``(N, C, H, W)``.

    All clips / segments / frames of a sample share its ops. The output has
    the input's shape, dtype and device (integer inputs are rounded).

    Randomness comes from torch's global CPU RNG (seeded by MMEngine's
    ``set_random_seed``) unless a ``torch.Generator`` is passed to
    :meth:`forward`. Parameters are drawn on the CPU, so the stream does not
    depend on the device. Equalize needs its histograms on the CPU (one
    small device sync, only for the samples that drew it).

    Args:
        num_ops (int): Ops per sample. Defaults to 2.
        magnitude (float): Magnitude on the 0-10 scale. Defaults to 10.
        magnitude_std (float): Std of a per-op Gaussian jitter of the
            magnitude (clipped to [0, 10]). Defaults to 0.
        ops (Sequence[str], optional): Ops to draw from (names of
            ``ALL_OPS`` of :mod:`mmssar.utils.randaugment_ops`, which adds
            Invert and Cutout). Defaults to the 14 of ``RANDAUG_OPS``.
        fill (float): Value (in ``[0, value_range]``) of pixels uncovered by
            geometric ops and of the cutout box. Defaults to
            ``value_range * 128 / 255``.
        interpolation (str): 'bilinear' or 'nearest'. Defaults to
            'bilinear'.
        cutout (float): If > 0, one box of ``cutout * H`` by ``cutout * W``
            per sample is painted with ``fill``. Defaults to 0.
        value_range (float): Maximum pixel value of the input (255 for
            un-normalised frames, 1 for [0, 1] inputs). Defaults to 255.
        format_shape (str): 'NCTHW' or 'NCHW', as in
            ``ActionDataPreprocessor``. Defaults to 'NCTHW'.
        channel_order (str): 'rgb' or 'bgr' (luma weights only).
            Defaults to 'rgb'.
    """

    def __init__(self,
                 num_ops: int = 2,
                 magnitude: float = 10.,
                 magnitude_std: float = 0.,
                 ops: Optional[Sequence[str]] = None,
                 fill: Optional[float] = None,
                 interpolation: str = 'bilinear',
                 cutout: float = 0.,
                 value_range: float = 255.,
                 format_shape: str = 'NCTHW',
                 channel_order: str = 'rgb') -> None:
        super().__init__()
        if num_ops < 0:
            raise ValueError(f'num_ops must be >= 0, got {num_ops}')
        if not 0 <= magnitude <= MAX_MAGNITUDE:
            raise ValueError(f'magnitude must be in [0, 10], got {magnitude}')
        if magnitude_std < 0:
            raise ValueError(f'magnitude_std must be >= 0, '
                             f'got {magnitude_std}')
        if interpolation not in ('bilinear', 'nearest'):
            raise ValueError(f'interpolation must be bilinear or nearest, '
                             f'got {interpolation}')
        if not 0 <= cutout <= 1:
            raise ValueError(f'cutout must be in [0, 1], got {cutout}')
        if value_range <= 0:
            raise ValueError(f'value_range must be > 0, got {value_range}')
        if format_shape not in ('NCTHW', 'NCHW'):
            raise ValueError(f'format_shape must be NCTHW or NCHW, '
                             f'got {format_shape}')
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError(f'channel_order must be rgb or bgr, '
                             f'got {channel_order}')
        self.num_ops = num_ops
        self.magnitude = float(magnitude)
        self.magnitude_std = float(magnitude_std)
        self.ops = check_ops(RANDAUG_OPS if ops is None else ops)
        self.value_range = float(value_range)
        fill = value_range * 128. / 255. if fill is None else fill
        if not 0 <= fill <= value_range:
            raise ValueError(f'fill must be in [0, value_range], got {fill}')
        # Work internally on the 0-255 scale of the op definitions.
        self.fill = float(fill) * 255. / self.value_range
        self.interpolation = interpolation
        self.cutout = cutout
        self.format_shape = format_shape
        self.channel_order = channel_order
        luma = LUMA_RGB if channel_order == 'rgb' else LUMA_RGB[::-1]
        self.register_buffer(
            'luma', torch.tensor(luma.copy()).view(1, 1, 3, 1, 1),
            persistent=False)

    # ------------------------------------------------------------------ #
    # Layout
    # ------------------------------------------------------------------ #
    def _to_units(self, x: Tensor) -> Tuple[Tensor, tuple]:
        """Reshape to (N, F, C, H, W): F frames sharing one sample's ops."""
        shape = tuple(x.shape)
        if self.format_shape == 'NCTHW' and x.dim() == 6:
            n, nc, c, t, h, w = shape
            units = x.permute(0, 1, 3, 2, 4, 5).reshape(n, nc * t, c, h, w)
        elif self.format_shape == 'NCTHW' and x.dim() == 5:
            units = x.permute(0, 2, 1, 3, 4)
        elif self.format_shape == 'NCHW' and x.dim() == 5:
            units = x
        elif self.format_shape == 'NCHW' and x.dim() == 4:
            units = x.unsqueeze(1)
        else:
            raise ValueError(
                f'BatchVideoRandAugment(format_shape={self.format_shape!r}) '
                f'got a {x.dim()}-D input of shape {shape}; expected '
                '(N, num_clips, C, T, H, W) or (N, C, T, H, W) for NCTHW, '
                '(N, num_segs, C, H, W) or (N, C, H, W) for NCHW')
        if units.shape[2] != 3:
            raise ValueError(f'BatchVideoRandAugment needs 3 colour '
                             f'channels; input of shape {shape} has '
                             f'{units.shape[2]}')
        return units, shape

    def _from_units(self, units: Tensor, shape: tuple) -> Tensor:
        if self.format_shape == 'NCTHW' and len(shape) == 6:
            n, nc, c, t, h, w = shape
            return units.reshape(n, nc, t, c, h, w).permute(0, 1, 3, 2, 4, 5)
        if self.format_shape == 'NCTHW':
            return units.permute(0, 2, 1, 3, 4)
        if len(shape) == 4:
            return units.squeeze(1)
        return units

    # ------------------------------------------------------------------ #
    # Sampling
    # ------------------------------------------------------------------ #
    def sample_params(
        self,
        num_samples: int,
        generator: Optional[torch.Generator] = None
    ) -> Tuple[Tensor, Tensor]:
        """Draw per-sample ops.

        Args:
            num_samples (int): Batch size N.
            generator (torch.Generator, optional): CPU generator; the global
                RNG when None.

        Returns:
            tuple[Tensor, Tensor]: ``op_idx`` (N, num_ops) int64 indices into
            ``self.ops`` and ``values`` (N, num_ops) float64 signed op
            parameters (see ``op_level`` of ``video_randaugment``).
        """
        size = (num_samples, self.num_ops)
        op_idx = torch.randint(len(self.ops), size, generator=generator)
        mags = torch.full(size, self.magnitude, dtype=torch.float64)
        if self.magnitude_std > 0:
            mags += self.magnitude_std * torch.randn(
                size, generator=generator, dtype=torch.float64)
        signs = torch.where(
            torch.rand(size, generator=generator) < 0.5, -1., 1.)
        frac = mags.clamp(0., MAX_MAGNITUDE) / MAX_MAGNITUDE
        max_level = torch.tensor(
            [MAX_LEVELS.get(op, 0.) for op in self.ops], dtype=torch.float64)
        values = max_level[op_idx] * frac
        is_posterize = torch.tensor([op == 'Posterize' for op in self.ops])
        values = torch.where(is_posterize[op_idx], values.round(), values)
        is_signed = torch.tensor([op in SIGNED_OPS for op in self.ops])
        values = torch.where(is_signed[op_idx], values * signs, values)
        return op_idx, values

    # ------------------------------------------------------------------ #
    # Ops on (n, F, 3, H, W) float tensors on the 0-255 scale
    # ------------------------------------------------------------------ #
    def _warp(self, x: Tensor, op: str, values: np.ndarray) -> Tensor:
        n, f, c, h, w = x.shape
        # affine_grid wants the inverse map (output -> input) in
        # normalised coordinates: theta = D^-1 A^-1 (D q - b).
        theta = np.empty((n, 2, 3))
        scale = np.diag([w / 2., h / 2.])
        for i, value in enumerate(values):
            mat = centred_affine(op, float(value), h, w)
            inv = np.linalg.inv(mat[:, :2])
            theta[i, :, :2] = np.linalg.inv(scale) @ inv @ scale
            theta[i, :, 2] = -np.linalg.inv(scale) @ inv @ mat[:, 2]
        theta = torch.as_tensor(theta, dtype=x.dtype).to(x.device)
        grid = F.affine_grid(theta, (n, f * c, h, w), align_corners=False)
        # Shifting by fill makes the zero padding of grid_sample a fill
        # padding that still blends smoothly at the borders.
        out = F.grid_sample(
            x.reshape(n, f * c, h, w) - self.fill,
            grid,
            mode=self.interpolation,
            padding_mode='zeros',
            align_corners=False)
        return (out + self.fill).reshape(n, f, c, h, w)

    @staticmethod
    def _blend(degenerate: Tensor, x: Tensor, factor: Tensor) -> Tensor:
        # degenerate + factor * (x - degenerate), in one fused kernel.
        degenerate = degenerate.to(x.dtype).expand_as(x)
        return torch.lerp(degenerate, x, factor.expand_as(x)).clamp_(0., 255.)

    def _gray(self, x: Tensor) -> Tensor:
        luma = self.luma.flatten().tolist()
        gray = x[:, :, 0] * luma[0] + x[:, :, 1] * luma[1]
        return gray.add_(x[:, :, 2], alpha=luma[2]).unsqueeze(2)

    def _autocontrast(self, x: Tensor) -> Tensor:
        lo = x.amin(dim=(1, 3, 4), keepdim=True)
        hi = x.amax(dim=(1, 3, 4), keepdim=True)
        valid = hi > lo
        scale = torch.where(valid, 255. / (hi - lo).clamp_min(1e-6),
                            torch.ones_like(hi))
        offset = torch.where(valid, lo, torch.zeros_like(lo))
        return ((x - offset) * scale).clamp(0., 255.)

    def _equalize(self, x: Tensor) -> Tensor:
        n, f, c, h, w = x.shape
        levels = x.round().clamp(0, 255).long().permute(0, 2, 1, 3, 4)
        levels = levels.reshape(n * c, f * h * w)
        offsets = 256 * torch.arange(n * c, device=x.device)[:, None]
        hist = torch.bincount((levels + offsets).flatten(),
                              minlength=n * c * 256).view(n * c, 256)
        lut = torch.as_tensor(equalize_lut(hist.cpu().numpy()),
                              device=x.device).to(x.dtype)
        out = lut.gather(1, levels)
        return out.view(n, c, f, h, w).permute(0, 2, 1, 3, 4)

    def _sharpness(self, x: Tensor, factor: Tensor) -> Tensor:
        n, f, c, h, w = x.shape
        if h < 3 or w < 3:
            return x
        # The PIL smoothing kernel (all ones, centre 5, / 13) is a 3x3 box
        # sum plus 4 x centre; avg_pool2d is much faster than a 1-channel
        # conv2d on the CPU.
        box = F.avg_pool2d(x.reshape(n * f, c, h, w), 3, stride=1) * 9.
        blurred = (box.view(n, f, c, h - 2, w - 2) +
                   4. * x[..., 1:-1, 1:-1]) / 13.
        # As in PIL, the one-pixel border keeps its original value.
        degenerate = x.clone()
        degenerate[..., 1:-1, 1:-1] = blurred
        return self._blend(degenerate, x, factor)

    def apply_op(self,
                 x: Tensor,
                 op: str,
                 values: Tensor,
                 generator: Optional[torch.Generator] = None) -> Tensor:
        """Apply ``op`` to a sub-batch, one signed parameter per sample.

        Args:
            x (Tensor): (n, F, 3, H, W) float, 0-255 scale.
            op (str): Op name.
            values (Tensor): (n, ) signed parameters (CPU).
            generator (torch.Generator, optional): CPU generator of the
                Cutout positions; the global RNG when None.

        Returns:
            Tensor: (n, F, 3, H, W).
        """
        if op == 'Identity':
            return x
        if op in GEOMETRIC_OPS:
            return self._warp(x, op, values.numpy())
        if op == 'AutoContrast':
            return self._autocontrast(x)
        if op == 'Equalize':
            return self._equalize(x)
        if op == 'Invert':
            return 255. - x
        if op == 'Cutout':
            # a square, its side a fraction of the height (as imgaug)
            side = (values.abs() * x.shape[-2]).round().long()
            return self._cutout(x, generator, side, side, self.fill)
        vals = values.to(device=x.device, dtype=x.dtype).view(-1, 1, 1, 1, 1)
        if op == 'Solarize':
            return torch.where(x >= 256. * (1. - vals), 255. - x, x)
        if op == 'Posterize':
            # Keep the top (8 - bits) bits: floor to a multiple of 2^bits.
            step = torch.pow(2., vals)
            return torch.floor(x.clamp(0., 255.) / step) * step
        factor = 1. + vals
        if op == 'Brightness':
            return (x * factor).clamp_(0., 255.)
        if op == 'Color':
            return self._blend(self._gray(x), x, factor)
        if op == 'Contrast':
            # Mean of the luma = luma of the per-channel means (cheaper).
            mean = (x.mean(dim=(1, 3, 4)) * self.luma.view(1, 3).to(
                x.dtype)).sum(1).view(-1, 1, 1, 1, 1)
            return self._blend(mean, x, factor)
        if op == 'Sharpness':
            return self._sharpness(x, factor)
        raise ValueError(f'unknown op {op}')

    def _cutout(self, x: Tensor, generator: Optional[torch.Generator],
                bh: Tensor, bw: Tensor, fill: float) -> Tensor:
        """Paint one box per sample, ``bh`` x ``bw`` (ints or (n, ) CPU
        int tensors), centre uniform in the frame."""
        n, _, _, h, w = x.shape
        bh = torch.as_tensor(bh).expand(n).to(x.device)
        bw = torch.as_tensor(bw).expand(n).to(x.device)
        cy = torch.randint(h, (n, ), generator=generator).to(x.device)
        cx = torch.randint(w, (n, ), generator=generator).to(x.device)
        y0 = cy - torch.div(bh, 2, rounding_mode='floor')
        x0 = cx - torch.div(bw, 2, rounding_mode='floor')
        ys = torch.arange(h, device=x.device)[None]
        xs = torch.arange(w, device=x.device)[None]
        in_y = (ys >= y0[:, None]) & (ys < (y0 + bh)[:, None])  # (n, H)
        in_x = (xs >= x0[:, None]) & (xs < (x0 + bw)[:, None])  # (n, W)
        box = (in_y[:, :, None] & in_x[:, None, :]).view(n, 1, 1, h, w)
        return torch.where(box, torch.full_like(x[:1, :1, :1], fill), x)

    @torch.no_grad()
    def forward(self,
                inputs: Tensor,
                generator: Optional[torch.Generator] = None) -> Tensor:
        """Augment a batch.

        Args:
            inputs (Tensor): See the class docstring for layouts; values in
                ``[0, value_range]``.
            generator (torch.Generator, optional): CPU generator for the
                random draws; torch's global RNG when None.

        Returns:
            Tensor: Augmented batch, same shape, dtype and device.
        """
        units, shape = self._to_units(inputs)
        x = units.float() * (255. / self.value_range)
        if self.num_ops > 0:
            op_idx, values = self.sample_params(x.shape[0], generator)
            for k in range(self.num_ops):
                for i, op in enumerate(self.ops):
                    sel = torch.nonzero(op_idx[:, k] == i).flatten()
                    if len(sel) == 0 or op == 'Identity':
                        continue
                    if len(sel) == x.shape[0]:
                        x = self.apply_op(x, op, values[sel, k], generator)
                        continue
                    sel_dev = sel.to(x.device)
                    x = x.index_copy(
                        0, sel_dev,
                        self.apply_op(x.index_select(0, sel_dev), op,
                                      values[sel, k], generator))
        if self.cutout > 0:
            h, w = x.shape[-2:]
            x = self._cutout(x, generator, int(round(self.cutout * h)),
                             int(round(self.cutout * w)), self.fill)
        x = x * (self.value_range / 255.)
        if not inputs.dtype.is_floating_point:
            x = x.round()
        return self._from_units(x.to(inputs.dtype), shape)

    def extra_repr(self) -> str:
        return (f'num_ops={self.num_ops}, magnitude={self.magnitude}, '
                f'magnitude_std={self.magnitude_std}, ops={list(self.ops)}, '
                f'fill={self.fill * self.value_range / 255.}, '
                f'interpolation={self.interpolation}, cutout={self.cutout}, '
                f'value_range={self.value_range}, '
                f'format_shape={self.format_shape}, '
                f'channel_order={self.channel_order}')
