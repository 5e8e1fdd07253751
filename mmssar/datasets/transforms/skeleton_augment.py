"""Strong augmentations for skeleton sequences.

MMAction2 ships no random spatial or temporal skeleton augmentation; these
cover the ones used by skeleton SSL / SSAR methods (SkeletonCLR, AimCLR,
SCD-Net): shear, rotation, scale, temporal crop-resize, temporal pad-crop,
joint masking and Gaussian noise.

Where they go in a pipeline::

    PreNormalize2D / PreNormalize3D
    -> [strong skeleton augs]          # here (recommended)
    -> GenSkeFeat -> UniformSampleFrames -> PoseDecode -> FormatGCNInput

At that point ``results['keypoint']`` holds coordinates only (shape
``(M, T, V, C)``, C = 2 or 3; 2D scores are still in ``keypoint_score``), so
the spatial maps act on coordinates alone, and bones / motion computed by
``GenSkeFeat`` afterwards are consistent with the augmented joints. The
temporal ops update ``total_frames`` so ``UniformSampleFrames`` samples from
the augmented sequence.

They also work after ``PoseDecode`` (on the sampled ``clip_len`` frames,
cheaper). If ``GenSkeFeat`` has already merged 2D scores into the last axis,
set ``num_coords=2`` so that the score channel is left alone.

Zero entries mean "absent" (zero-padded persons / frames): the linear maps
(shear, rotation, scale) keep them zero, the noise is only added to present
person-frames, and the temporal resampling does not blend a present frame
with an absent one.

All randomness comes from numpy's global RNG (seeded per worker by
MMEngine).
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS


class _SkeletonAug(BaseTransform):
    """Shared plumbing: probability, input checks, coordinate channels.

    Args:
        p (float): Probability of applying the augmentation.
        num_coords (int, optional): Number of leading channels of the last
            axis that are spatial coordinates. None means all of them,
            which must then be 2 or 3.
    """

    def __init__(self, p: float, num_coords: Optional[int] = None) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f'{type(self).__name__}: p must be in [0, 1], '
                             f'got {p}')
        if num_coords is not None and num_coords not in (2, 3):
            raise ValueError(f'{type(self).__name__}: num_coords must be 2, '
                             f'3 or None, got {num_coords}')
        self.p = p
        self.num_coords = num_coords

    def _keypoint(self, results: Dict) -> np.ndarray:
        name = type(self).__name__
        if 'keypoint' not in results:
            raise KeyError(f'{name} needs results["keypoint"] of shape '
                           '(M, T, V, C)')
        kp = results['keypoint']
        if not isinstance(kp, np.ndarray) or kp.ndim != 4:
            raise ValueError(
                f'{name}: results["keypoint"] must be an (M, T, V, C) array, '
                f'got {getattr(kp, "shape", type(kp))}')
        return kp

    def _coord_dims(self, kp: np.ndarray) -> int:
        channels = kp.shape[-1]
        if self.num_coords is None:
            if channels not in (2, 3):
                raise ValueError(
                    f'{type(self).__name__}: keypoint has {channels} '
                    'channels; set num_coords to tell how many of them are '
                    'coordinates (e.g. num_coords=2 after GenSkeFeat merged '
                    '2D scores)')
            return channels
        if channels < self.num_coords:
            raise ValueError(
                f'{type(self).__name__}: num_coords={self.num_coords} but '
                f'keypoint has only {channels} channels')
        return self.num_coords

    def transform(self, results: Dict) -> Dict:
        kp = self._keypoint(results)
        # Draw the coin even when p is 0 or 1 so that the RNG stream does
        # not depend on p.
        if np.random.rand() < self.p:
            results = self.augment(results, kp)
        return results

    def augment(self, results: Dict, kp: np.ndarray) -> Dict:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in self._repr_args().items())
        return f'{type(self).__name__}({args})'

    def _repr_args(self) -> Dict:
        return dict(p=self.p, num_coords=self.num_coords)


class _LinearSkeletonAug(_SkeletonAug):
    """Apply one random C x C matrix to every joint of every frame."""

    def sample_matrix(self, dims: int) -> np.ndarray:
        raise NotImplementedError

    def augment(self, results: Dict, kp: np.ndarray) -> Dict:
        dims = self._coord_dims(kp)
        mat = self.sample_matrix(dims)
        out = kp.copy()
        # Row vectors: p' = A p  <=>  p'^T = p^T A^T.
        out[..., :dims] = kp[..., :dims] @ mat.T.astype(kp.dtype)
        results['keypoint'] = out
        return results


@TRANSFORMS.register_module()
class RandomShear(_LinearSkeletonAug):
    """Shear by a matrix with unit diagonal and off-diagonals U(-a, a).

    One matrix per sample, shared by all persons and frames (SkeletonCLR /
    AimCLR use ``a = 0.5``, SCD-Net ``a = 1``).

    Required Keys:
        - keypoint (np.ndarray): (M, T, V, C)

    Modified Keys:
        - keypoint

    Args:
        amplitude (float): Off-diagonal bound ``a``. Defaults to 0.5.
        p (float): Probability. Defaults to 1.
        num_coords (int, optional): See module docstring. Defaults to None.
    """

    def __init__(self,
                 amplitude: float = 0.5,
                 p: float = 1.,
                 num_coords: Optional[int] = None) -> None:
        super().__init__(p, num_coords)
        if amplitude < 0:
            raise ValueError(f'RandomShear: amplitude must be >= 0, '
                             f'got {amplitude}')
        self.amplitude = amplitude

    def sample_matrix(self, dims: int) -> np.ndarray:
        mat = np.random.uniform(-self.amplitude, self.amplitude,
                                (dims, dims))
        np.fill_diagonal(mat, 1.)
        return mat

    def _repr_args(self) -> Dict:
        return dict(amplitude=self.amplitude, **super()._repr_args())


def rotation_matrix(angles_deg: Sequence[float]) -> np.ndarray:
    """Rotation matrix from angles in degrees.

    Args:
        angles_deg (Sequence[float]): One angle (2D) or the angles about
            the x, y and z axes (3D, applied in that order: R = Rz Ry Rx).

    Returns:
        np.ndarray: (2, 2) or (3, 3) rotation matrix.
    """
    rad = np.deg2rad(np.asarray(angles_deg, dtype=np.float64))
    cos, sin = np.cos(rad), np.sin(rad)
    if rad.size == 1:
        return np.array([[cos[0], -sin[0]], [sin[0], cos[0]]])
    rx = np.array([[1, 0, 0], [0, cos[0], -sin[0]], [0, sin[0], cos[0]]])
    ry = np.array([[cos[1], 0, sin[1]], [0, 1, 0], [-sin[1], 0, cos[1]]])
    rz = np.array([[cos[2], -sin[2], 0], [sin[2], cos[2], 0], [0, 0, 1]])
    return rz @ ry @ rx


@TRANSFORMS.register_module()
class RandomRotation(_LinearSkeletonAug):
    """Rotate about the origin by random angles.

    3D: angles about x, y and z each drawn from U(-max, max) (degrees),
    combined as ``Rz Ry Rx``; 2D: one angle from U(-max_angle[-1],
    max_angle[-1]) (rotation in the image plane, i.e. about z). After
    ``PreNormalize*`` the origin is the body / image centre.

    Required Keys:
        - keypoint (np.ndarray): (M, T, V, C)

    Modified Keys:
        - keypoint

    Args:
        max_angle (float | Sequence[float]): Bound in degrees, one for all
            axes or one per axis (x, y, z). Defaults to 30.
        p (float): Probability. Defaults to 0.5.
        num_coords (int, optional): See module docstring. Defaults to None.
    """

    def __init__(self,
                 max_angle: Union[float, Sequence[float]] = 30.,
                 p: float = 0.5,
                 num_coords: Optional[int] = None) -> None:
        super().__init__(p, num_coords)
        max_angle = np.broadcast_to(
            np.asarray(max_angle, dtype=np.float64), (3, )).copy()
        if (max_angle < 0).any():
            raise ValueError(f'RandomRotation: max_angle must be >= 0, '
                             f'got {max_angle.tolist()}')
        self.max_angle = max_angle

    def sample_matrix(self, dims: int) -> np.ndarray:
        bound = self.max_angle if dims == 3 else self.max_angle[-1:]
        return rotation_matrix(np.random.uniform(-bound, bound))

    def _repr_args(self) -> Dict:
        return dict(
            max_angle=self.max_angle.tolist(), **super()._repr_args())


@TRANSFORMS.register_module()
class RandomScale(_LinearSkeletonAug):
    """Scale coordinates by factors drawn from U(low, high).

    Required Keys:
        - keypoint (np.ndarray): (M, T, V, C)

    Modified Keys:
        - keypoint

    Args:
        scale_range (tuple[float, float]): ``(low, high)``.
            Defaults to (0.8, 1.2).
        per_axis (bool): One factor per axis instead of one for all.
            Defaults to False.
        p (float): Probability. Defaults to 0.5.
        num_coords (int, optional): See module docstring. Defaults to None.
    """

    def __init__(self,
                 scale_range: Tuple[float, float] = (0.8, 1.2),
                 per_axis: bool = False,
                 p: float = 0.5,
                 num_coords: Optional[int] = None) -> None:
        super().__init__(p, num_coords)
        low, high = scale_range
        if not 0 < low <= high:
            raise ValueError(f'RandomScale: need 0 < low <= high, '
                             f'got {scale_range}')
        self.scale_range = (float(low), float(high))
        self.per_axis = per_axis

    def sample_matrix(self, dims: int) -> np.ndarray:
        factors = np.random.uniform(*self.scale_range,
                                    dims if self.per_axis else 1)
        return np.diag(np.broadcast_to(factors, (dims, )))

    def _repr_args(self) -> Dict:
        return dict(
            scale_range=self.scale_range,
            per_axis=self.per_axis,
            **super()._repr_args())


def present_mask(kp: np.ndarray, dims: int) -> np.ndarray:
    """(M, T) bool: person ``m`` has a non-zero coordinate in frame ``t``."""
    return np.any(kp[..., :dims] != 0, axis=(2, 3))


def _num_valid_frames(kp: np.ndarray, dims: int) -> int:
    """Frames up to the last one in which anybody is present."""
    any_present = present_mask(kp, dims).any(axis=0)
    if not any_present.any():
        return 0
    return int(len(any_present) - np.argmax(any_present[::-1]))


def _set_frames(results: Dict, kp: np.ndarray,
                score: Optional[np.ndarray]) -> Dict:
    results['keypoint'] = kp
    if score is not None:
        results['keypoint_score'] = score
    results['total_frames'] = kp.shape[1]
    # Frame indices drawn before this op no longer match the new sequence.
    results.pop('frame_inds', None)
    return results


@TRANSFORMS.register_module()
class TemporalCropResize(_SkeletonAug):
    """Crop a random temporal segment and resample it to a fixed length.

    The segment covers ``ratio * n_valid`` frames (``ratio`` ~ U(min,
    max)), where ``n_valid`` counts frames up to the last one with anybody
    present (trailing zero padding is ignored); its start is uniform. The
    segment is resampled by linear interpolation with the first and last
    output frames on its endpoints (so ``ratio = 1`` keeps the first and
    last valid frame). A person absent (all zero) in one of the two frames
    being blended takes the nearer frame instead, so padding never leaks
    into present frames. ``keypoint_score`` (if any) is resampled
    alike; ``total_frames`` is updated and a stale ``frame_inds`` dropped.

    When the coin says "do not apply" and ``clip_len`` is set, the whole
    valid range is resampled to ``clip_len`` so the output length is always
    the same.

    Required Keys:
        - keypoint (np.ndarray): (M, T, V, C)
        - keypoint_score (np.ndarray, optional): (M, T, V)

    Modified Keys:
        - keypoint, keypoint_score, total_frames

    Args:
        ratio_range (tuple[float, float]): Crop ratio bounds.
            Defaults to (0.5, 1.0). SCD-Net uses (0.1, 1.0).
        clip_len (int, optional): Output length. None keeps the input
            length T. Defaults to None.
        min_len (int): Minimum crop length in frames. Defaults to 1.
        p (float): Probability. Defaults to 1.
        num_coords (int, optional): Coordinate channels used to detect
            absent frames. Defaults to None.
    """

    def __init__(self,
                 ratio_range: Tuple[float, float] = (0.5, 1.0),
                 clip_len: Optional[int] = None,
                 min_len: int = 1,
                 p: float = 1.,
                 num_coords: Optional[int] = None) -> None:
        super().__init__(p, num_coords)
        low, high = ratio_range
        if not 0 < low <= high <= 1:
            raise ValueError(f'TemporalCropResize: need 0 < min <= max <= 1, '
                             f'got ratio_range={ratio_range}')
        if clip_len is not None and clip_len < 1:
            raise ValueError(f'TemporalCropResize: clip_len must be >= 1, '
                             f'got {clip_len}')
        if min_len < 1:
            raise ValueError(f'TemporalCropResize: min_len must be >= 1, '
                             f'got {min_len}')
        self.ratio_range = (float(low), float(high))
        self.clip_len = clip_len
        self.min_len = min_len

    def transform(self, results: Dict) -> Dict:
        kp = self._keypoint(results)
        if np.random.rand() < self.p:
            return self.augment(results, kp)
        if self.clip_len is not None and kp.shape[1] != self.clip_len:
            return self._resample(results, kp, ratio=1.)
        return results

    def augment(self, results: Dict, kp: np.ndarray) -> Dict:
        return self._resample(results, kp, np.random.uniform(
            *self.ratio_range))

    def _resample(self, results: Dict, kp: np.ndarray, ratio: float) -> Dict:
        dims = self._coord_dims(kp)
        out_len = kp.shape[1] if self.clip_len is None else self.clip_len
        n_valid = max(_num_valid_frames(kp, dims), 1)
        seg = int(np.clip(round(ratio * n_valid), min(self.min_len, n_valid),
                          n_valid))
        start = np.random.randint(0, n_valid - seg + 1)
        pos = np.linspace(start, start + seg - 1, out_len)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, kp.shape[1] - 1)
        w = (pos - lo)[None, :]  # (1, out_len), broadcast over persons

        present = present_mask(kp, dims)
        both = present[:, lo] & present[:, hi]
        # Where one side is absent, fall back to the nearer frame.
        w = np.where(both, w, np.round(w))  # (M, out_len)

        def lerp(arr):
            wb = w.reshape(w.shape + (1, ) * (arr.ndim - 2)).astype(arr.dtype)
            return arr[:, lo] * (1 - wb) + arr[:, hi] * wb

        score = results.get('keypoint_score')
        return _set_frames(results, lerp(kp),
                           None if score is None else lerp(score))

    def _repr_args(self) -> Dict:
        return dict(
            ratio_range=self.ratio_range,
            clip_len=self.clip_len,
            min_len=self.min_len,
            **super()._repr_args())


@TRANSFORMS.register_module()
class TemporalPadCrop(_SkeletonAug):
    """SkeletonCLR-style "temporal crop with padding" (a random time shift).

    Mirror-pads ``T // padding_ratio`` frames at both ends and crops ``T``
    frames at a uniformly random offset. ``keypoint_score`` (if any) is
    cropped alike.

    Required Keys:
        - keypoint (np.ndarray): (M, T, V, C)
        - keypoint_score (np.ndarray, optional): (M, T, V)

    Modified Keys:
        - keypoint, keypoint_score, total_frames

    Args:
        padding_ratio (int): ``T`` divided by the pad length.
            Defaults to 6 (SkeletonCLR / AimCLR).
        p (float): Probability. Defaults to 1.
    """

    def __init__(self, padding_ratio: int = 6, p: float = 1.) -> None:
        super().__init__(p, None)
        if padding_ratio < 1:
            raise ValueError(f'TemporalPadCrop: padding_ratio must be >= 1, '
                             f'got {padding_ratio}')
        self.padding_ratio = padding_ratio

    def augment(self, results: Dict, kp: np.ndarray) -> Dict:
        t = kp.shape[1]
        pad = min(t // self.padding_ratio, t)
        start = np.random.randint(0, 2 * pad + 1)

        def pad_crop(arr):
            padded = np.concatenate(
                [arr[:, :pad][:, ::-1], arr, arr[:, t - pad:][:, ::-1]],
                axis=1)
            return np.ascontiguousarray(padded[:, start:start + t])

        score = results.get('keypoint_score')
        return _set_frames(results, pad_crop(kp),
                           None if score is None else pad_crop(score))

    def _repr_args(self) -> Dict:
        return dict(padding_ratio=self.padding_ratio, p=self.p)


@TRANSFORMS.register_module()
class JointMask(_SkeletonAug):
    """Zero a random subset of joints in all frames and for all persons.

    ``round(ratio * V)`` joints are drawn without replacement; all their
    channels (and their ``keypoint_score``) are set to 0.

    Required Keys:
        - keypoint (np.ndarray): (M, T, V, C)
        - keypoint_score (np.ndarray, optional): (M, T, V)

    Modified Keys:
        - keypoint, keypoint_score

    Args:
        ratio (float): Fraction of joints to mask. Defaults to 0.2.
        p (float): Probability. Defaults to 0.5.
    """

    def __init__(self, ratio: float = 0.2, p: float = 0.5) -> None:
        super().__init__(p, None)
        if not 0 <= ratio <= 1:
            raise ValueError(f'JointMask: ratio must be in [0, 1], '
                             f'got {ratio}')
        self.ratio = ratio

    def augment(self, results: Dict, kp: np.ndarray) -> Dict:
        num_joints = kp.shape[2]
        joints = np.random.choice(
            num_joints, int(round(self.ratio * num_joints)), replace=False)
        kp = kp.copy()
        kp[:, :, joints] = 0
        results['keypoint'] = kp
        if 'keypoint_score' in results:
            score = results['keypoint_score'].copy()
            score[:, :, joints] = 0
            results['keypoint_score'] = score
        return results

    def _repr_args(self) -> Dict:
        return dict(ratio=self.ratio, p=self.p)


@TRANSFORMS.register_module()
class GaussianNoise(_SkeletonAug):
    """Add N(0, std^2) noise to the coordinates of present person-frames.

    Absent (all-zero) person-frames stay zero; score channels are left
    alone.

    Required Keys:
        - keypoint (np.ndarray): (M, T, V, C)

    Modified Keys:
        - keypoint

    Args:
        std (float): Noise standard deviation, in keypoint units.
            Defaults to 0.01.
        p (float): Probability. Defaults to 0.5.
        num_coords (int, optional): See module docstring. Defaults to None.
    """

    def __init__(self,
                 std: float = 0.01,
                 p: float = 0.5,
                 num_coords: Optional[int] = None) -> None:
        super().__init__(p, num_coords)
        if std < 0:
            raise ValueError(f'GaussianNoise: std must be >= 0, got {std}')
        self.std = std

    def augment(self, results: Dict, kp: np.ndarray) -> Dict:
        dims = self._coord_dims(kp)
        noise = np.random.normal(0., self.std, kp.shape[:-1] + (dims, ))
        noise *= present_mask(kp, dims)[:, :, None, None]
        out = kp.copy()
        out[..., :dims] += noise.astype(kp.dtype)
        results['keypoint'] = out
        return results

    def _repr_args(self) -> Dict:
        return dict(std=self.std, **super()._repr_args())
