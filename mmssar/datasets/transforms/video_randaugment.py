"""Clip-consistent RandAugment for decoded video frames.

FixMatch-style strong views for video need RandAugment whose op and
magnitude are drawn once per clip: drawing them per frame makes the clip
flicker, which destroys the motion cues a video model relies on. MMAction2's
own wrappers (``ImgAug``, ``PytorchVideoWrapper``) need packages that do not
import under numpy 2 / current torchvision, so this is a cv2/numpy version.

The op table, the magnitude -> parameter mapping and the presets live in
:mod:`mmssar.utils.randaugment_ops`, shared with the batched torch version
(``BatchVideoRandAugment`` of the data preprocessors) so both give the same
augmentation family.

Every op works on the whole (T, H, W, C) clip at once: per-pixel ops are
look-up tables or fused cv2 calls on the clip seen as one tall
(T * H, W, C) image, and the clip stays C-contiguous between ops. Seeded
outputs equal those of the first implementation except for Rotate and
Shear: cv2 now warps 3-channel frames (before: the frames stacked as
channels, a path whose bilinear weights round differently), which changes
some pixels by a few grey levels on noise and by at most 1 on smooth
content; translations, the drawn ops and every other op are unchanged
(after a geometric op, the luma of Color / Contrast may differ in the last
float bit, as the old transposed clip took another matmul path: a handful
of pixels by 1).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS
from mmssar.utils.randaugment_ops import (  # noqa: F401 (re-exported)
    ALL_OPS, GEOMETRIC_OPS, LUMA_RGB, MAX_LEVELS, MAX_MAGNITUDE,
    RANDAUG_OPS, RANDAUG_PRESETS, SIGNED_OPS, centred_affine, check_ops,
    equalize_lut, op_level)

_VALUES = np.arange(256, dtype=np.float32)
# cv2.calcHist counts in float32: exact up to 2 ** 24 pixels per channel.
_MAX_CALCHIST_PIXELS = 1 << 24


@TRANSFORMS.register_module()
class VideoRandAugment(BaseTransform):
    """Clip-consistent RandAugment on a list of uint8 frames.

    ``num_ops`` ops and their magnitudes and signs are drawn once per call
    and applied identically to every frame. Statistics of AutoContrast /
    Equalize / Contrast are pooled over the whole clip so that every frame
    goes through the same look-up table. All randomness comes from numpy's
    global RNG, which MMEngine seeds per worker, so a seeded run is
    reproducible.

    Place it after the spatial crop / resize / flip and before
    ``FormatShape`` (frames must be ``H x W x 3`` uint8).

    Presets (``preset=``, see
    :data:`mmssar.utils.randaugment_ops.RANDAUG_PRESETS`); explicitly given
    arguments override a preset's values:

    - ``'ltg_imgaug'``: the imgaug RandAugment of MMAction2 0.x's
      ``Imgaug(transforms='default')`` used by LTG (Xiao et al., CVPR
      2022): 2 distinct ops of 15, applied in list order - ShearX/Y
      15.47 degrees (shear factor tan 15.47 = 0.277), TranslateX/Y 18 % of
      the side, Rotate 27 degrees (geometric ops fill with 0, random sign
      per clip), Posterize keeping 3 bits, Solarize of the values >= 230,
      Color / Contrast / Brightness / Sharpness with factor 1.72,
      AutoContrast, Equalize, Invert, and a Cutout square of 18 % of the
      height filled with 128; no Identity.

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
        ops (Sequence[str], optional): Ops to draw from (names of
            ``ALL_OPS``). Defaults to the 14 ops of ``RANDAUG_OPS``.
        fill (int): Grey value of pixels uncovered by geometric ops.
            Defaults to 128.
        interpolation (str): 'bilinear' or 'nearest' for geometric ops.
            Defaults to 'bilinear'.
        cutout (float): If > 0, additionally paint one box of
            ``cutout * H`` by ``cutout * W`` pixels (centre uniform in the
            frame, clipped at the borders) with ``cutout_fill`` on all
            frames after the ops. Defaults to 0 (off).
        channel_order (str): 'rgb' or 'bgr'; only chooses the luma
            weights of Color / Contrast. Defaults to 'rgb' (the order of
            MMAction2's decoders).
        preset (str, optional): Name of a preset (see above).
        levels (dict[str, float], optional): Fixed unsigned parameter per
            op (units of ``MAX_LEVELS``), replacing the magnitude mapping;
            every drawn op that has a parameter needs an entry.
        signed_ops (Sequence[str], optional): Ops whose parameter gets a
            random sign. Defaults to ``SIGNED_OPS``.
        distinct (bool): Draw ``num_ops`` different ops (without
            replacement). Defaults to False.
        ordered (bool): Apply the drawn ops in the order of ``ops`` (as
            imgaug's ``SomeOf``) instead of the drawing order.
            Defaults to False.
        cutout_fill (int, optional): Value of the Cutout op's square and of
            the ``cutout`` box. Defaults to ``fill``.
    """

    _DEFAULTS = dict(
        num_ops=2,
        magnitude=10.,
        ops=RANDAUG_OPS,
        fill=128,
        levels=None,
        signed_ops=SIGNED_OPS,
        distinct=False,
        ordered=False,
        cutout_fill=None)

    def __init__(self,
                 num_ops: Optional[int] = None,
                 magnitude: Optional[float] = None,
                 magnitude_std: float = 0.,
                 ops: Optional[Sequence[str]] = None,
                 fill: Optional[int] = None,
                 interpolation: str = 'bilinear',
                 cutout: float = 0.,
                 channel_order: str = 'rgb',
                 preset: Optional[str] = None,
                 levels: Optional[Dict[str, float]] = None,
                 signed_ops: Optional[Sequence[str]] = None,
                 distinct: Optional[bool] = None,
                 ordered: Optional[bool] = None,
                 cutout_fill: Optional[int] = None) -> None:
        cfg = dict(self._DEFAULTS)
        if preset is not None:
            if preset not in RANDAUG_PRESETS:
                raise ValueError(f'VideoRandAugment: unknown preset '
                                 f'{preset!r}; choose from '
                                 f'{sorted(RANDAUG_PRESETS)}')
            cfg.update(RANDAUG_PRESETS[preset])
        given = dict(num_ops=num_ops, magnitude=magnitude, ops=ops, fill=fill,
                     levels=levels, signed_ops=signed_ops, distinct=distinct,
                     ordered=ordered, cutout_fill=cutout_fill)
        cfg.update({k: v for k, v in given.items() if v is not None})

        num_ops, magnitude, fill = cfg['num_ops'], cfg['magnitude'], cfg[
            'fill']
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
        cutout_fill = fill if cfg['cutout_fill'] is None else cfg[
            'cutout_fill']
        for name, value in (('fill', fill), ('cutout_fill', cutout_fill)):
            if not 0 <= value <= 255:
                raise ValueError(f'{name} must be in [0, 255], got {value}')
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.magnitude_std = magnitude_std
        self.ops = check_ops(cfg['ops'])
        self.signed_ops = (check_ops(cfg['signed_ops'])
                           if len(cfg['signed_ops']) else ())
        self.distinct = bool(cfg['distinct'])
        self.ordered = bool(cfg['ordered'])
        if self.distinct and num_ops > len(self.ops):
            raise ValueError(f'distinct=True needs num_ops <= len(ops); got '
                             f'{num_ops} ops of {len(self.ops)}')
        self.levels = None
        if cfg['levels'] is not None:
            self.levels = dict(cfg['levels'])
            if magnitude_std > 0:
                raise ValueError('magnitude_std has no effect with fixed '
                                 '`levels`; remove one of them')
            missing = [
                op for op in self.ops
                if op in MAX_LEVELS and op not in self.levels
            ]
            if missing:
                raise ValueError(f'`levels` has no value for the ops '
                                 f'{missing}')
        self.fill = int(fill)
        self.cutout_fill = int(cutout_fill)
        self.interpolation = interpolation
        self.cutout = cutout
        self.channel_order = channel_order
        self._luma = (LUMA_RGB if channel_order == 'rgb' else
                      LUMA_RGB[::-1].copy())

    # ------------------------------------------------------------------ #
    # Sampling
    # ------------------------------------------------------------------ #
    def sample_ops(self) -> List[Tuple[str, float]]:
        """Draw the clip's ops as ``(name, signed parameter)`` pairs."""
        if self.distinct:
            idx = np.random.choice(len(self.ops), self.num_ops, replace=False)
        else:
            idx = np.random.randint(len(self.ops), size=self.num_ops)
        if self.ordered:
            idx = np.sort(idx)
        mags = np.full(self.num_ops, float(self.magnitude))
        if self.magnitude_std > 0:
            mags += np.random.normal(0., self.magnitude_std, self.num_ops)
        signs = np.where(np.random.rand(self.num_ops) < 0.5, -1., 1.)
        drawn = []
        for i, m, s in zip(idx, mags, signs):
            op = self.ops[i]
            if self.levels is None:
                level = op_level(op, m)
            else:
                level = float(self.levels.get(op, 0.))
            drawn.append((op, level * s if op in self.signed_ops else level))
        return drawn

    # ------------------------------------------------------------------ #
    # Ops on a C-contiguous (T, H, W, C) uint8 clip
    # ------------------------------------------------------------------ #
    @staticmethod
    def _tall(clip: np.ndarray) -> np.ndarray:
        """The clip as one (T * H, W, C) image (a view)."""
        t, h, w, c = clip.shape
        return clip.reshape(t * h, w, c)

    def _warp(self, clip: np.ndarray, op: str, value: float) -> np.ndarray:
        t, h, w, c = clip.shape
        mat = centred_affine(op, value, h, w)
        # Shift the centre-origin map to cv2's pixel grid (centres at ints).
        centre = np.array([(w - 1) / 2., (h - 1) / 2.])
        mat[:, 2] += centre - mat[:, :2] @ centre
        flags = (cv2.INTER_LINEAR
                 if self.interpolation == 'bilinear' else cv2.INTER_NEAREST)
        # Frame by frame straight into a contiguous output: cheaper than
        # stacking frames as channels, which needs two transposed copies.
        out = np.empty_like(clip)
        for i in range(t):
            cv2.warpAffine(
                clip[i],
                mat, (w, h),
                dst=out[i],
                flags=flags,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=(self.fill, ) * 4)
        return out

    def _apply_lut(self, clip: np.ndarray, luts: np.ndarray) -> np.ndarray:
        """Apply a (256, ) LUT or per-channel LUTs (C, 256) to a clip."""
        c = clip.shape[-1]
        luts = np.ascontiguousarray(luts, dtype=np.uint8)
        if luts.ndim == 2:
            luts = np.ascontiguousarray(luts.T).reshape(256, 1, c)
        return cv2.LUT(self._tall(clip), luts).reshape(clip.shape)

    def _histograms(self, clip: np.ndarray) -> np.ndarray:
        """(C, 256) int64 per-channel histograms of the whole clip."""
        c = clip.shape[-1]
        if clip.size // c >= _MAX_CALCHIST_PIXELS:
            flat = clip.reshape(-1, c)
            return np.stack(
                [np.bincount(flat[:, i], minlength=256) for i in range(c)])
        tall = self._tall(clip)
        return np.stack([
            cv2.calcHist([tall], [i], None, [256], [0, 256]).reshape(-1)
            for i in range(c)
        ]).astype(np.int64)

    def _autocontrast(self, clip: np.ndarray) -> np.ndarray:
        nonzero = self._histograms(clip) > 0
        lo = np.argmax(nonzero, axis=1).astype(np.float32)
        hi = (255 - np.argmax(nonzero[:, ::-1], axis=1)).astype(np.float32)
        valid = hi > lo
        scale = np.where(valid, 255. / np.maximum(hi - lo, 1.), 1.)
        offset = np.where(valid, lo, 0.)
        luts = np.clip((_VALUES[None] - offset[:, None]) * scale[:, None], 0,
                       255)
        return self._apply_lut(clip, luts.astype(np.uint8))

    def _equalize(self, clip: np.ndarray) -> np.ndarray:
        return self._apply_lut(clip, equalize_lut(self._histograms(clip)))

    @staticmethod
    def _blend_scalar(clip: np.ndarray, degenerate: float,
                      factor: float) -> np.ndarray:
        """``degenerate + factor * (clip - degenerate)``, saturated."""
        # cv2 saturates in one fused pass; 2-D view keeps it any-channel.
        flat = clip.reshape(-1, clip.shape[-2] * clip.shape[-1])
        out = cv2.addWeighted(flat, factor, flat, 0.,
                              float(degenerate) * (1. - factor))
        return out.reshape(clip.shape)

    @staticmethod
    def _blend(degenerate: np.ndarray, clip: np.ndarray,
               factor: float) -> np.ndarray:
        """``degenerate + factor * (clip - degenerate)``, rounded and
        saturated.

        Args:
            degenerate (np.ndarray): float32, the shape of ``clip`` or with
                one channel.
            clip (np.ndarray): float32 clip; used as scratch space.
            factor (float): Blend factor.

        The difference is taken in float32 and the rest in float64 (the
        arithmetic of the first implementation, kept so that seeded outputs
        did not change).
        """
        if degenerate.shape != clip.shape:
            # numpy broadcasts a trailing axis of 1 slowly: repeat once.
            degenerate = np.repeat(degenerate, clip.shape[-1], axis=-1)
        clip -= degenerate
        out = clip.astype(np.float64)
        out *= np.float64(factor)
        out += degenerate
        np.rint(out, out=out)
        np.clip(out, 0, 255, out=out)
        return out.astype(np.uint8)

    def _gray(self, clip: np.ndarray) -> np.ndarray:
        """(T, H, W) float32 luma of a uint8 or float32 clip."""
        return clip.astype(np.float32, copy=False) @ self._luma

    def _sharpness(self, clip: np.ndarray, factor: float) -> np.ndarray:
        t, h, w, c = clip.shape
        if h < 3 or w < 3:
            return clip
        kernel = np.ones((3, 3), dtype=np.float32)
        kernel[1, 1] = 5.
        kernel /= kernel.sum()
        # One filter over the tall image: rows that mix two frames are the
        # frames' first and last rows, which keep their values below.
        blurred = cv2.filter2D(self._tall(clip), -1, kernel).reshape(
            clip.shape)
        # As in PIL, the one-pixel border keeps its original value.
        out = clip.copy()
        out[:, 1:-1, 1:-1] = self._blend(
            blurred[:, 1:-1, 1:-1].astype(np.float32),
            clip[:, 1:-1, 1:-1].astype(np.float32), factor)
        return out

    def _cutout(self, clip: np.ndarray, box_h: int, box_w: int,
                fill: int) -> np.ndarray:
        _, h, w, _ = clip.shape
        cy, cx = np.random.randint(h), np.random.randint(w)
        y0, x0 = max(cy - box_h // 2, 0), max(cx - box_w // 2, 0)
        y1, x1 = min(cy - box_h // 2 + box_h, h), min(cx - box_w // 2 + box_w,
                                                        w)
        clip = clip.copy()
        clip[:, y0:y1, x0:x1] = fill
        return clip

    def apply_op(self, clip: np.ndarray, op: str, value: float) -> np.ndarray:
        """Apply one op with signed parameter ``value`` to a clip.

        Args:
            clip (np.ndarray): (T, H, W, 3) uint8.
            op (str): Op name.
            value (float): Signed parameter from :meth:`sample_ops`.

        Returns:
            np.ndarray: (T, H, W, 3) uint8, C-contiguous.
        """
        clip = np.ascontiguousarray(clip)
        if op == 'Identity':
            return clip
        if op in GEOMETRIC_OPS:
            return clip if value == 0 else self._warp(clip, op, value)
        if op == 'AutoContrast':
            return self._autocontrast(clip)
        if op == 'Equalize':
            return self._equalize(clip)
        if op == 'Invert':
            return self._apply_lut(clip, 255 - np.arange(256))
        if op == 'Solarize':
            threshold = 256. * (1. - value)
            values = np.arange(256)
            return self._apply_lut(
                clip, np.where(values >= threshold, 255 - values, values))
        if op == 'Posterize':
            shift = int(value)
            return clip & np.uint8((0xFF << shift) & 0xFF)
        if op == 'Cutout':
            side = int(round(value * clip.shape[1]))  # a square, as imgaug
            return self._cutout(clip, side, side, self.cutout_fill)
        factor = 1. + value
        if op == 'Brightness':
            return self._blend_scalar(clip, 0., factor)
        if op == 'Color':
            clip_f = clip.astype(np.float32)
            return self._blend(self._gray(clip_f)[..., None], clip_f, factor)
        if op == 'Contrast':
            return self._blend_scalar(clip, np.float32(
                self._gray(clip).mean()), factor)
        if op == 'Sharpness':
            return self._sharpness(clip, factor)
        raise ValueError(f'unknown op {op}')

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
            _, h, w, _ = clip.shape
            clip = self._cutout(clip, int(round(self.cutout * h)),
                                int(round(self.cutout * w)), self.cutout_fill)
        results['imgs'] = list(clip) if isinstance(imgs,
                                                   (list, tuple)) else clip
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_ops={self.num_ops}, '
                f'magnitude={self.magnitude}, '
                f'magnitude_std={self.magnitude_std}, ops={list(self.ops)}, '
                f'levels={self.levels}, distinct={self.distinct}, '
                f'ordered={self.ordered}, fill={self.fill}, '
                f'cutout_fill={self.cutout_fill}, '
                f'interpolation={self.interpolation}, cutout={self.cutout}, '
                f'channel_order={self.channel_order})')

