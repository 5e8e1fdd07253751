"""Clip-consistent RandAugment for decoded video frames.

FixMatch-style strong views for video need RandAugment whose op and
magnitude are drawn once per clip: drawing them per frame makes the clip
flicker, which destroys the motion cues a video model relies on. MMAction2's
own wrappers (``ImgAug``, ``PytorchVideoWrapper``) need packages that do not
import under numpy 2 / current torchvision, so this is a cv2/numpy version.

The op table and the magnitude -> parameter mapping below are shared with the
batched torch implementation
(:class:`mmssar.models.data_preprocessors.batch_augment.BatchVideoRandAugment`)
so both give the same augmentation family.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS

#: All ops, in the order of the RandAugment paper's list.
RANDAUG_OPS: Tuple[str, ...] = (
    'Identity', 'AutoContrast', 'Equalize', 'Rotate', 'Solarize', 'Color',
    'Posterize', 'Contrast', 'Brightness', 'Sharpness', 'ShearX', 'ShearY',
    'TranslateX', 'TranslateY')

GEOMETRIC_OPS = ('Rotate', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY')
# Ops whose parameter is a signed deviation from the identity; the sign is
# drawn at random so that e.g. shear goes both ways.
SIGNED_OPS = GEOMETRIC_OPS + ('Color', 'Contrast', 'Brightness', 'Sharpness')

#: Parameter of each op at the maximum magnitude 10 (torchvision / timm
#: RandAugment ranges): degrees, shear factor, fraction of the image side,
#: enhancement deviation, bits removed, fraction of the solarize range.
MAX_LEVELS: Dict[str, float] = dict(
    Rotate=30.0,
    ShearX=0.3,
    ShearY=0.3,
    TranslateX=0.45,
    TranslateY=0.45,
    Color=0.9,
    Contrast=0.9,
    Brightness=0.9,
    Sharpness=0.9,
    Posterize=4.0,
    Solarize=1.0)

MAX_MAGNITUDE = 10.0

# ITU-R 601 luma weights, as in PIL's convert('L').
_LUMA_RGB = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def check_ops(ops: Sequence[str]) -> Tuple[str, ...]:
    """Validate an op list and return it as a tuple."""
    ops = tuple(ops)
    if len(ops) == 0:
        raise ValueError('RandAugment: `ops` must not be empty')
    unknown = [op for op in ops if op not in RANDAUG_OPS]
    if unknown:
        raise ValueError(f'RandAugment: unknown ops {unknown}; '
                         f'choose from {list(RANDAUG_OPS)}')
    return ops


def op_level(op: str, magnitude: float) -> float:
    """Unsigned parameter of ``op`` at ``magnitude`` (0-10 scale).

    Magnitude 0 is the identity for every op that has a magnitude.

    Returns:
        float: degrees (Rotate), shear factor (Shear*), fraction of the
        image side (Translate*), enhancement deviation from 1 (Color,
        Contrast, Brightness, Sharpness), number of bits removed
        (Posterize, an integer) or fraction of the value range that is
        inverted (Solarize). 0 for ops without magnitude.
    """
    if op not in MAX_LEVELS:
        return 0.0
    frac = min(max(float(magnitude), 0.0), MAX_MAGNITUDE) / MAX_MAGNITUDE
    level = MAX_LEVELS[op] * frac
    if op == 'Posterize':
        level = float(round(level))
    return level


def centred_affine(op: str, value: float, height: int,
                   width: int) -> np.ndarray:
    """Forward 2x3 affine map of a geometric op about the image centre.

    Args:
        op (str): One of :data:`GEOMETRIC_OPS`.
        value (float): Signed op parameter (:func:`op_level` times sign).
        height (int): Image height H.
        width (int): Image width W.

    Returns:
        np.ndarray: (2, 3) float64 matrix ``A`` mapping a source point
        ``p`` (pixel units, origin at the image centre, y down) to its
        destination ``A[:, :2] @ p + A[:, 2]``. Translations are whole
        pixels so a translated clip is an exact shift.
    """
    mat = np.zeros((2, 3), dtype=np.float64)
    mat[:, :2] = np.eye(2)
    if op == 'Rotate':
        # Positive angle turns the picture counter-clockwise on screen.
        rad = np.deg2rad(value)
        cos, sin = np.cos(rad), np.sin(rad)
        mat[:, :2] = [[cos, sin], [-sin, cos]]
    elif op == 'ShearX':
        mat[0, 1] = value
    elif op == 'ShearY':
        mat[1, 0] = value
    elif op == 'TranslateX':
        mat[0, 2] = round(value * width)
    elif op == 'TranslateY':
        mat[1, 2] = round(value * height)
    else:
        raise ValueError(f'{op} is not a geometric op')
    return mat


def equalize_lut(hist: np.ndarray) -> np.ndarray:
    """PIL-style histogram-equalisation look-up table.

    Args:
        hist (np.ndarray): (..., 256) integer histograms.

    Returns:
        np.ndarray: (..., 256) uint8 LUTs; identity where the histogram
        has a single non-empty bin.
    """
    hist = hist.astype(np.int64)
    nonzero = hist > 0
    last_idx = 255 - np.argmax(nonzero[..., ::-1], axis=-1)
    last = np.take_along_axis(hist, last_idx[..., None], -1)[..., 0]
    step = (hist.sum(-1) - last) // 255
    cum_excl = np.cumsum(hist, -1) - hist
    safe_step = np.maximum(step, 1)[..., None]
    lut = (cum_excl + safe_step // 2) // safe_step
    identity = np.broadcast_to(np.arange(256), lut.shape)
    lut = np.where((step > 0)[..., None], lut, identity)
    return np.clip(lut, 0, 255).astype(np.uint8)


@TRANSFORMS.register_module()
class VideoRandAugment(BaseTransform):
    """Clip-consistent RandAugment on a list of uint8 frames.

    ``num_ops`` ops (with replacement) and their magnitudes and signs are
    drawn once per call and applied identically to every frame. Statistics
    of AutoContrast / Equalize / Contrast are pooled over the whole clip so
    that every frame goes through the same look-up table. All randomness
    comes from numpy's global RNG, which MMEngine seeds per worker, so a
    seeded run is reproducible.

    Place it after the spatial crop / resize / flip and before
    ``FormatShape`` (frames must be ``H x W x 3`` uint8).

    Required Keys:
        - imgs (list[np.ndarray] | np.ndarray): T frames of shape
          (H, W, 3), uint8.

    Modified Keys:
        - imgs (same container type, shapes and dtype)

    Args:
        num_ops (int): Ops applied per clip. Defaults to 2.
        magnitude (float): Magnitude on the 0-10 scale. Defaults to 10.
        magnitude_std (float): If > 0, each op's magnitude is drawn from
            N(magnitude, magnitude_std) and clipped to [0, 10].
            Defaults to 0.
        ops (Sequence[str], optional): Subset of :data:`RANDAUG_OPS` to
            draw from. Defaults to all 14 ops.
        fill (int): Grey value of pixels uncovered by geometric ops and of
            the cutout box. Defaults to 128.
        interpolation (str): 'bilinear' or 'nearest' for geometric ops.
            Defaults to 'bilinear'.
        cutout (float): If > 0, additionally paint one box of
            ``cutout * H`` by ``cutout * W`` pixels (centre uniform in the
            frame, clipped at the borders) with ``fill`` on all frames.
            Defaults to 0 (off).
        channel_order (str): 'rgb' or 'bgr'; only chooses the luma
            weights of Color / Contrast. Defaults to 'rgb' (the order of
            MMAction2's decoders).
    """

    def __init__(self,
                 num_ops: int = 2,
                 magnitude: float = 10.,
                 magnitude_std: float = 0.,
                 ops: Optional[Sequence[str]] = None,
                 fill: int = 128,
                 interpolation: str = 'bilinear',
                 cutout: float = 0.,
                 channel_order: str = 'rgb') -> None:
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
        if channel_order not in ('rgb', 'bgr'):
            raise ValueError(f'channel_order must be rgb or bgr, '
                             f'got {channel_order}')
        if not 0 <= fill <= 255:
            raise ValueError(f'fill must be in [0, 255], got {fill}')
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.magnitude_std = magnitude_std
        self.ops = check_ops(RANDAUG_OPS if ops is None else ops)
        self.fill = int(fill)
        self.interpolation = interpolation
        self.cutout = cutout
        self.channel_order = channel_order
        self._luma = (_LUMA_RGB if channel_order == 'rgb' else
                      _LUMA_RGB[::-1].copy())

    # ------------------------------------------------------------------ #
    # Sampling
    # ------------------------------------------------------------------ #
    def sample_ops(self) -> List[Tuple[str, float]]:
        """Draw the clip's ops as ``(name, signed parameter)`` pairs."""
        idx = np.random.randint(len(self.ops), size=self.num_ops)
        mags = np.full(self.num_ops, float(self.magnitude))
        if self.magnitude_std > 0:
            mags += np.random.normal(0., self.magnitude_std, self.num_ops)
        signs = np.where(np.random.rand(self.num_ops) < 0.5, -1., 1.)
        drawn = []
        for i, m, s in zip(idx, mags, signs):
            op = self.ops[i]
            level = op_level(op, m)
            drawn.append((op, level * s if op in SIGNED_OPS else level))
        return drawn

    # ------------------------------------------------------------------ #
    # Ops on a (T, H, W, C) uint8 clip
    # ------------------------------------------------------------------ #
    def _warp(self, clip: np.ndarray, op: str, value: float) -> np.ndarray:
        t, h, w, c = clip.shape
        mat = centred_affine(op, value, h, w)
        # Shift the centre-origin map to cv2's pixel grid (centres at ints).
        centre = np.array([(w - 1) / 2., (h - 1) / 2.])
        mat[:, 2] += centre - mat[:, :2] @ centre
        flags = (cv2.INTER_LINEAR
                 if self.interpolation == 'bilinear' else cv2.INTER_NEAREST)
        # One warp for the whole clip: frames become channels. cv2 caps the
        # channel count (CV_CN_MAX = 512), hence the chunks.
        stack = clip.transpose(1, 2, 0, 3).reshape(h, w, t * c)
        step = (508 // c) * c
        out = [
            cv2.warpAffine(
                np.ascontiguousarray(stack[..., s:s + step]),
                mat, (w, h),
                flags=flags,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=(self.fill, ) * 4)
            for s in range(0, t * c, step)
        ]
        out = [o[..., None] if o.ndim == 2 else o for o in out]
        stack = np.concatenate(out, axis=-1)
        return stack.reshape(h, w, t, c).transpose(2, 0, 1, 3)

    @staticmethod
    def _blend(degenerate, clip: np.ndarray, factor: float) -> np.ndarray:
        """``degenerate + factor * (clip - degenerate)``, saturated."""
        if np.ndim(degenerate) == 0:
            # cv2 saturates in one fused pass; 2-D view keeps it any-channel.
            flat = clip.reshape(-1, clip.shape[-2] * clip.shape[-1])
            out = cv2.addWeighted(flat, factor, flat, 0.,
                                  float(degenerate) * (1. - factor))
            return out.reshape(clip.shape)
        out = degenerate + factor * (clip.astype(np.float32) - degenerate)
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)

    def _gray(self, clip: np.ndarray) -> np.ndarray:
        return clip.astype(np.float32) @ self._luma

    @staticmethod
    def _apply_lut(clip: np.ndarray, luts: np.ndarray) -> np.ndarray:
        """Apply per-channel LUTs (C, 256) to a (T, H, W, C) clip."""
        c = clip.shape[-1]
        flat = np.ascontiguousarray(clip).reshape(-1, clip.shape[-2], c)
        out = cv2.LUT(flat, np.ascontiguousarray(luts.T).reshape(256, 1, c))
        return out.reshape(clip.shape)

    def _autocontrast(self, clip: np.ndarray) -> np.ndarray:
        flat = clip.reshape(-1, clip.shape[-1])
        lo = flat.min(axis=0).astype(np.float32)
        hi = flat.max(axis=0).astype(np.float32)
        valid = hi > lo
        scale = np.where(valid, 255. / np.maximum(hi - lo, 1.), 1.)
        offset = np.where(valid, lo, 0.)
        values = np.arange(256, dtype=np.float32)[None]
        luts = np.clip((values - offset[:, None]) * scale[:, None], 0, 255)
        return self._apply_lut(clip, luts.astype(np.uint8))

    def _equalize(self, clip: np.ndarray) -> np.ndarray:
        c = clip.shape[-1]
        flat = clip.reshape(-1, c)
        hist = np.stack(
            [np.bincount(flat[:, i], minlength=256) for i in range(c)])
        return self._apply_lut(clip, equalize_lut(hist))

    def _sharpness(self, clip: np.ndarray, factor: float) -> np.ndarray:
        t, h, w, c = clip.shape
        kernel = np.ones((3, 3), dtype=np.float32)
        kernel[1, 1] = 5.
        kernel /= kernel.sum()
        stack = clip.transpose(1, 2, 0, 3).reshape(h, w, t * c)
        step = 508
        blurred = np.concatenate([
            np.atleast_3d(
                cv2.filter2D(
                    np.ascontiguousarray(stack[..., s:s + step]), -1, kernel))
            for s in range(0, t * c, step)
        ], -1)
        # As in PIL, the one-pixel border keeps its original value.
        degenerate = stack.copy()
        degenerate[1:-1, 1:-1] = blurred[1:-1, 1:-1]
        degenerate = degenerate.reshape(h, w, t, c).transpose(2, 0, 1, 3)
        return self._blend(degenerate.astype(np.float32), clip, factor)

    def apply_op(self, clip: np.ndarray, op: str, value: float) -> np.ndarray:
        """Apply one op with signed parameter ``value`` to a clip.

        Args:
            clip (np.ndarray): (T, H, W, 3) uint8.
            op (str): Op name.
            value (float): Signed parameter from :meth:`sample_ops`.

        Returns:
            np.ndarray: (T, H, W, 3) uint8.
        """
        if op == 'Identity':
            return clip
        if op in GEOMETRIC_OPS:
            return clip if value == 0 else self._warp(clip, op, value)
        if op == 'AutoContrast':
            return self._autocontrast(clip)
        if op == 'Equalize':
            return self._equalize(clip)
        if op == 'Solarize':
            threshold = 256. * (1. - value)
            return np.where(clip >= threshold, 255 - clip, clip)
        if op == 'Posterize':
            shift = int(value)
            return clip & np.uint8((0xFF << shift) & 0xFF)
        factor = 1. + value
        if op == 'Brightness':
            return self._blend(np.float32(0.), clip, factor)
        if op == 'Color':
            return self._blend(self._gray(clip)[..., None], clip, factor)
        if op == 'Contrast':
            return self._blend(np.float32(self._gray(clip).mean()), clip,
                               factor)
        if op == 'Sharpness':
            return self._sharpness(clip, factor)
        raise ValueError(f'unknown op {op}')

    def _cutout(self, clip: np.ndarray) -> np.ndarray:
        _, h, w, _ = clip.shape
        cy, cx = np.random.randint(h), np.random.randint(w)
        bh, bw = int(round(self.cutout * h)), int(round(self.cutout * w))
        y0, x0 = max(cy - bh // 2, 0), max(cx - bw // 2, 0)
        y1, x1 = min(cy - bh // 2 + bh, h), min(cx - bw // 2 + bw, w)
        clip = clip.copy()
        clip[:, y0:y1, x0:x1] = self.fill
        return clip

    def transform(self, results: Dict) -> Dict:
        """Augment ``results['imgs']`` in a clip-consistent way."""
        if 'imgs' not in results:
            raise KeyError('VideoRandAugment needs results["imgs"] (place it '
                           'after decoding and cropping, before FormatShape)')
        imgs = results['imgs']
        clip = np.asarray(imgs) if isinstance(imgs, (list, tuple)) else imgs
        if (not isinstance(clip, np.ndarray) or clip.ndim != 4
                or clip.shape[-1] != 3 or clip.dtype != np.uint8):
            shape = getattr(clip, 'shape', None)
            dtype = getattr(clip, 'dtype', None)
            raise ValueError(
                'VideoRandAugment expects results["imgs"] to be T frames of '
                f'shape (H, W, 3) uint8 of equal size; got shape {shape} and '
                f'dtype {dtype} (place it before FormatShape)')
        for op, value in self.sample_ops():
            clip = self.apply_op(clip, op, value)
        if self.cutout > 0:
            clip = self._cutout(clip)
        results['imgs'] = list(clip) if isinstance(imgs,
                                                   (list, tuple)) else clip
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_ops={self.num_ops}, '
                f'magnitude={self.magnitude}, '
                f'magnitude_std={self.magnitude_std}, ops={list(self.ops)}, '
                f'fill={self.fill}, interpolation={self.interpolation}, '
                f'cutout={self.cutout}, channel_order={self.channel_order})')
