"""SCD-Net's skeleton preprocessing and augmentations as MMAction2 transforms.

Official code (cong-wu/SCD-Net): ``data_gen/preprocess.py`` and
``data_gen/rotation.py`` (offline 2s-AGCN pre-normalisation),
``feeder/feeder_pretraining.py``, ``feeder/feeder_downstream.py`` and
``feeder/augmentations.py`` (online view generation).

All transforms work on ``results['keypoint']`` shaped ``(M, T, V, C)`` (the
MMAction2 ``PoseDataset`` layout) and, when present, ``keypoint_score``
``(M, T, V)``. Randomness comes from NumPy's global generator, which
MMEngine seeds per worker.

Official pipeline, per sample:

1. (offline) :class:`SCDPreNormalize`: loop-pad empty trailing frames of each
   person, subtract person 0's spine joint (index 1) in EVERY frame, rotate so
   hip->spine of person 0 in frame 0 is +z, then (right - left shoulder) is +x.
   MMAction2's ``PreNormalize3D`` differs (drops empty frames, subtracts the
   first frame's centre only, keeps global translation).
2. per view, :class:`SCDTemporalCropResize` (pre-training: crop ratio
   U(0.1, 1) with at least 64 source frames, resized to 64 frames; downstream:
   centre crop of 95 % of the frames, resized to 64).
3. optional stream conversion (MMAction2's ``ToMotion`` / ``JointToBone`` with
   ``dataset='nturgb+d'`` match the official motion/bone definitions).
4. per view, each with probability 0.5 and in this order:
   :class:`SCDRandomRotate`, :class:`SCDJointSwapFlip`,
   :class:`SCDRandomShear`, :class:`SCDStructuralJointMask` (8 joints from the
   2-hop neighbourhoods of 5 random seeds), :class:`SCDTemporalBlockMask`
   (6 of the 16 blocks of 4 frames).
"""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS

# Left/right joint-index swap of the NTU 25-joint layout (official Flip):
# arms 4-7 <-> 8-11, legs 12-15 <-> 16-19, hand tips/thumbs 21,22 <-> 23,24.
NTU_FLIP_ORDER = (0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12,
                  13, 14, 15, 20, 23, 24, 21, 22)
# Kinect v1 (NW-UCLA) uses NTU's first 20 joints; JHMDB pairs R/L joints
# (3, 4), (5, 6), ..., (13, 14). These two extend the official NTU order.
FLIP_ORDERS = {
    'nturgb+d': NTU_FLIP_ORDER,
    'nturgb+d_agcn': NTU_FLIP_ORDER,
    'kinect_v1': NTU_FLIP_ORDER[:20],
    'nw-ucla': NTU_FLIP_ORDER[:20],
    'jhmdb': (0, 1, 2, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13),
}


def _get_keypoint(results: dict, name: str) -> np.ndarray:
    if 'keypoint' not in results:
        raise KeyError(f'{name}: results lack "keypoint" (keys: '
                       f'{sorted(results)})')
    kp = results['keypoint']
    if kp.ndim != 4:
        raise ValueError(f'{name}: "keypoint" must be (M, T, V, C), got '
                         f'shape {kp.shape}')
    return kp


def _frame_is_empty(person: np.ndarray) -> np.ndarray:
    """(T, V, C) -> (T,) True where a frame holds no coordinates."""
    return ~np.any(person != 0, axis=(1, 2))


def rotation_matrix(axis: np.ndarray, theta: float) -> np.ndarray:
    """Right-handed rotation by ``theta`` radians about ``axis`` (Rodrigues).

    Identity for a (near) zero axis or angle, as in the official helper.
    """
    axis = np.asarray(axis, dtype=np.float64)
    norm = np.linalg.norm(axis)
    if np.abs(axis).sum() < 1e-6 or abs(theta) < 1e-6 or norm == 0:
        return np.eye(3)
    x, y, z = axis / norm
    K = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + np.sin(theta) * K + (1 - np.cos(theta)) * K @ K


def _angle_between(v1: np.ndarray, v2: np.ndarray) -> float:
    if np.abs(v1).sum() < 1e-6 or np.abs(v2).sum() < 1e-6:
        return 0.0
    c = np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2))
    return float(np.arccos(np.clip(c, -1.0, 1.0)))


def agcn_pre_normalize(keypoint: np.ndarray,
                       center_joint: int = 1,
                       zaxis: Optional[Sequence[int]] = (0, 1),
                       xaxis: Optional[Sequence[int]] = (8, 4),
                       pad_null_frames: bool = True) -> np.ndarray:
    """2s-AGCN / SCD-Net pre-normalisation of one sample.

    Args:
        keypoint (np.ndarray): (M, T, V, C); person 0 is the main body.
        center_joint (int): Joint subtracted per frame (NTU spine = 1).
        zaxis (Sequence[int], optional): (bottom, top) joints aligned to +z;
            ``None`` skips (needed for 2-D data).
        xaxis (Sequence[int], optional): (right, left) joints; the vector
            ``right - left`` is aligned to +x after the z alignment (NTU
            right shoulder 8, left shoulder 4); ``None`` skips.
        pad_null_frames (bool): Move a person's frames to the front when
            its first frame is empty, and fill its empty tail by looping its
            valid part.

    Returns:
        np.ndarray: float32 array of the same shape.
    """
    s = np.array(keypoint, dtype=np.float32, copy=True)
    M, T, V, C = s.shape
    if (zaxis is not None or xaxis is not None) and C != 3:
        raise ValueError(f'agcn_pre_normalize: axis alignment needs 3-D '
                         f'coordinates, got C={C}; pass zaxis=None, '
                         f'xaxis=None for 2-D data')
    present = [bool(np.any(p != 0)) for p in s]
    if not present[0] and not any(present):
        return s

    if pad_null_frames:
        for m in range(M):
            if not present[m]:
                continue
            empty = _frame_is_empty(s[m])
            if empty[0]:
                valid = s[m][~empty].copy()
                s[m] = 0
                s[m, :len(valid)] = valid
                empty = _frame_is_empty(s[m])
            # Loop the valid head only over an all-empty tail.
            first = int(np.argmax(empty)) if empty.any() else T
            if first < T and empty[first:].all():
                reps = int(np.ceil((T - first) / first))
                looped = np.concatenate([s[m, :first]] * reps)
                s[m, first:] = looped[:T - first]

    center = s[0, :, center_joint:center_joint + 1, :].copy()  # (T, 1, C)
    for m in range(M):
        if not present[m]:
            continue
        joint_valid = np.any(s[m] != 0, axis=-1, keepdims=True)  # (T, V, 1)
        s[m] = (s[m] - center) * joint_valid

    # z: vector bottom -> top; x: vector left -> right, i.e. (right - left).
    for vec_ends, target in ((zaxis, (0., 0., 1.)),
                             (None if xaxis is None else xaxis[::-1],
                              (1., 0., 0.))):
        if vec_ends is None or not present[0]:
            continue
        a, b = vec_ends
        vec = s[0, 0, b] - s[0, 0, a]
        R = rotation_matrix(np.cross(vec, target), _angle_between(vec, target))
        for m in range(M):
            if present[m]:
                s[m] = s[m] @ R.T.astype(np.float32)
    return s


def temporal_crop_resize(keypoint: np.ndarray,
                         num_valid: int,
                         clip_len: int = 64,
                         ratio_range: Tuple[float, float] = (0.1, 1.0),
                         min_crop_len: int = 64,
                         center_ratio: Optional[float] = None) -> np.ndarray:
    """Crop a sub-sequence of the valid frames and resize it to ``clip_len``.

    Random mode (``center_ratio=None``): crop length
    ``clip(floor(U(lo, hi) * num_valid), min_crop_len, num_valid)`` at a
    uniform start. Centre mode: drop ``int((1 - center_ratio) * num_valid /
    2)`` frames at each end. Resizing is linear interpolation with
    ``align_corners=False`` (the official bilinear resize of a width-1 map).

    Args:
        keypoint (np.ndarray): (M, T, V, C) or (M, T, V).
        num_valid (int): Number of valid leading frames (<= T).

    Returns:
        np.ndarray: float32, ``clip_len`` frames on axis 1.
    """
    T = keypoint.shape[1]
    num_valid = int(min(max(num_valid, 1), T))
    if center_ratio is None:
        lo, hi = ratio_range
        scale = np.random.rand() * (hi - lo) + lo
        length = int(
            min(max(int(np.floor(num_valid * scale)), min_crop_len),
                num_valid))
        start = np.random.randint(0, num_valid - length + 1)
        end = start + length
    else:
        start = int((1 - center_ratio) * num_valid / 2)
        end = num_valid - start
    crop = torch.from_numpy(
        np.ascontiguousarray(keypoint[:, start:end], dtype=np.float32))
    # Interpolate along time: (1, everything-else, T).
    moved = crop.movedim(1, -1)
    flat = moved.reshape(1, -1, moved.shape[-1])
    out = F.interpolate(flat, size=clip_len, mode='linear',
                        align_corners=False)
    out = out.reshape(moved.shape[:-1] + (clip_len, )).movedim(-1, 1)
    return out.numpy()


def graph_adjacency(layout: Union[str, dict]) -> np.ndarray:
    """Binary undirected adjacency with self-loops, ``I + A``, (V, V)."""
    from mmssar.utils.skeleton_graphs import build_graph
    graph = build_graph(dict(layout=layout, mode='spatial'))
    A = np.eye(graph.num_node)
    for i, j in graph.inward:
        A[i, j] = A[j, i] = 1
    return A


def structural_joint_mask(keypoint: np.ndarray,
                          adjacency: np.ndarray,
                          num_seeds: int = 5,
                          num_masked: int = 8,
                          hops: int = 2
                          ) -> Tuple[np.ndarray, np.ndarray]:
    """Zero a graph-connected group of joints in all frames and persons.

    Scores each joint by the summed ``hops``-step path counts from
    ``num_seeds`` seeds drawn uniformly with replacement (rows of
    ``adjacency ** hops``) and zeroes the ``num_masked`` best joints
    (stable sort: among ties, higher indices win).

    Args:
        keypoint (np.ndarray): (M, T, V, ...).
        adjacency (np.ndarray): ``I + A`` of the skeleton graph, (V, V).

    Returns:
        tuple: masked copy and the sorted masked joint indices.
    """
    V = keypoint.shape[2]
    if adjacency.shape != (V, V):
        raise ValueError(f'structural_joint_mask: adjacency {adjacency.shape}'
                         f' does not match {V} joints')
    if not 0 < num_masked <= V:
        raise ValueError(f'num_masked must be in [1, {V}], got {num_masked}')
    reach = np.linalg.matrix_power(adjacency, hops)
    seeds = np.random.randint(0, V, size=num_seeds)
    score = reach[seeds].sum(axis=0)
    joints = np.sort(np.argsort(score, kind='stable')[-num_masked:])
    out = keypoint.copy()
    out[:, :, joints] = 0
    return out, joints


def temporal_block_mask(keypoint: np.ndarray,
                        block_len: int = 4,
                        num_masked_blocks: int = 6
                        ) -> Tuple[np.ndarray, np.ndarray]:
    """Zero ``num_masked_blocks`` random aligned blocks of ``block_len``
    consecutive frames (without replacement).

    Returns:
        tuple: masked copy (M, T, ...) and the sorted masked frame indices.
    """
    T = keypoint.shape[1]
    if T % block_len:
        raise ValueError(f'temporal_block_mask: {T} frames are not divisible '
                         f'by block_len={block_len}')
    num_blocks = T // block_len
    if not 0 < num_masked_blocks <= num_blocks:
        raise ValueError(f'num_masked_blocks must be in [1, {num_blocks}], '
                         f'got {num_masked_blocks}')
    blocks = np.random.choice(num_blocks, num_masked_blocks, replace=False)
    frames = np.sort((blocks[:, None] * block_len +
                      np.arange(block_len)).ravel())
    out = keypoint.copy()
    out[:, frames] = 0
    return out, frames


class _RandomSkeletonTransform(BaseTransform):
    """Applies :meth:`_apply` to ``keypoint`` with probability ``prob``."""

    def __init__(self, prob: float = 0.5) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'{type(self).__name__}: prob must be in [0, 1],'
                             f' got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        kp = _get_keypoint(results, type(self).__name__)
        if np.random.rand() < self.prob:
            self._apply(results, kp)
        return results

    def _apply(self, results: dict, kp: np.ndarray) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob})'


@TRANSFORMS.register_module()
class SCDPreNormalize(BaseTransform):
    """2s-AGCN pre-normalisation used by SCD-Net's data generation.

    Required keys: ``keypoint`` (M, T, V, C). Modified: ``keypoint``.

    Args:
        center_joint (int): Per-frame centre joint of person 0 (NTU spine:
            1). Defaults to 1.
        zaxis (Sequence[int], optional): Joints whose vector is aligned with
            +z (NTU hip -> spine: (0, 1)); ``None`` for 2-D data.
        xaxis (Sequence[int], optional): (right, left) joints whose vector
            ``right - left`` is aligned with +x after that (NTU shoulders:
            (8, 4)); ``None`` for 2-D data.
        pad_null_frames (bool): Loop-pad empty tails. Defaults to True.
    """

    def __init__(self,
                 center_joint: int = 1,
                 zaxis: Optional[Sequence[int]] = (0, 1),
                 xaxis: Optional[Sequence[int]] = (8, 4),
                 pad_null_frames: bool = True) -> None:
        self.center_joint = center_joint
        self.zaxis = None if zaxis is None else tuple(zaxis)
        self.xaxis = None if xaxis is None else tuple(xaxis)
        self.pad_null_frames = pad_null_frames

    def transform(self, results: dict) -> dict:
        kp = _get_keypoint(results, 'SCDPreNormalize')
        results['keypoint'] = agcn_pre_normalize(kp, self.center_joint,
                                                 self.zaxis, self.xaxis,
                                                 self.pad_null_frames)
        return results

    def __repr__(self) -> str:
        return (f'SCDPreNormalize(center_joint={self.center_joint}, '
                f'zaxis={self.zaxis}, xaxis={self.xaxis}, '
                f'pad_null_frames={self.pad_null_frames})')


@TRANSFORMS.register_module()
class SCDTemporalCropResize(BaseTransform):
    """Temporal crop of the valid frames, resized to ``clip_len`` frames.

    Required keys: ``keypoint``; ``total_frames`` (valid frame count,
    defaults to the array length). Modified: ``keypoint`` (and
    ``keypoint_score``), ``total_frames``; added: ``clip_len``.

    Args:
        clip_len (int): Output frames. Defaults to 64.
        ratio_range (tuple[float]): Random crop ratio range. Defaults to
            (0.1, 1.0) (official pre-training).
        min_crop_len (int): Minimum crop length in source frames (capped by
            the valid length). Defaults to 64.
        test_mode (bool): Deterministic centre crop instead. Defaults to
            False.
        center_ratio (float): Kept fraction in test mode. Defaults to 0.95
            (official linear evaluation / retrieval).
    """

    def __init__(self,
                 clip_len: int = 64,
                 ratio_range: Sequence[float] = (0.1, 1.0),
                 min_crop_len: int = 64,
                 test_mode: bool = False,
                 center_ratio: float = 0.95) -> None:
        lo, hi = ratio_range
        if not 0 < lo <= hi:
            raise ValueError(f'SCDTemporalCropResize: bad ratio_range '
                             f'{ratio_range}')
        self.clip_len = clip_len
        self.ratio_range = (float(lo), float(hi))
        self.min_crop_len = min_crop_len
        self.test_mode = test_mode
        self.center_ratio = center_ratio

    def transform(self, results: dict) -> dict:
        kp = _get_keypoint(results, 'SCDTemporalCropResize')
        num_valid = int(results.get('total_frames', kp.shape[1]))
        state = np.random.get_state()
        kwargs = dict(
            clip_len=self.clip_len,
            ratio_range=self.ratio_range,
            min_crop_len=self.min_crop_len,
            center_ratio=self.center_ratio if self.test_mode else None)
        results['keypoint'] = temporal_crop_resize(kp, num_valid, **kwargs)
        if 'keypoint_score' in results:
            # Same crop for the scores: replay the random draws.
            np.random.set_state(state)
            results['keypoint_score'] = temporal_crop_resize(
                results['keypoint_score'], num_valid, **kwargs)
        results['total_frames'] = self.clip_len
        results['clip_len'] = self.clip_len
        return results

    def __repr__(self) -> str:
        return (f'SCDTemporalCropResize(clip_len={self.clip_len}, '
                f'ratio_range={self.ratio_range}, min_crop_len='
                f'{self.min_crop_len}, test_mode={self.test_mode}, '
                f'center_ratio={self.center_ratio})')


@TRANSFORMS.register_module()
class SCDRandomRotate(_RandomSkeletonTransform):
    """Random 3-D rotation: U(0, ``max_angle``) degrees about one random main
    axis and U(0, ``minor_max_angle``) about the other two, applied about x,
    y, z in turn (official ``Rotate``; same angle sign convention).

    Args:
        prob (float): Probability. Defaults to 0.5.
        max_angle (float): Main-axis maximum, degrees. Defaults to 30.
        minor_max_angle (float): Other axes maximum, degrees. Defaults to 1.
    """

    def __init__(self,
                 prob: float = 0.5,
                 max_angle: float = 30.,
                 minor_max_angle: float = 1.) -> None:
        super().__init__(prob)
        self.max_angle = max_angle
        self.minor_max_angle = minor_max_angle

    def _apply(self, results: dict, kp: np.ndarray) -> None:
        if kp.shape[-1] != 3:
            raise ValueError(f'SCDRandomRotate needs 3-D keypoints, got '
                             f'C={kp.shape[-1]}')
        main = np.random.randint(0, 3)
        out = kp.astype(np.float32)
        for axis in range(3):
            limit = self.max_angle if axis == main else self.minor_max_angle
            angle = np.radians(np.random.uniform(0, limit))
            # Upstream multiplies row vectors by the transpose of a
            # clockwise (about +axis) rotation, i.e. rotates by -angle.
            R = rotation_matrix(np.eye(3)[axis], -angle)
            out = out @ R.T.astype(np.float32)
        results['keypoint'] = out


@TRANSFORMS.register_module()
class SCDJointSwapFlip(_RandomSkeletonTransform):
    """Left/right flip by permuting joint indices only (coordinates are not
    mirrored), as in the official ``Flip``.

    Args:
        prob (float): Probability. Defaults to 0.5.
        order (Sequence[int], optional): Joint permutation; if ``None`` it
            is taken from ``layout``.
        layout (str): Layout name with a known order (keys of
            ``FLIP_ORDERS``: 'nturgb+d', 'nturgb+d_agcn', 'kinect_v1',
            'nw-ucla', 'jhmdb'). Defaults to 'nturgb+d'.
    """

    def __init__(self,
                 prob: float = 0.5,
                 order: Optional[Sequence[int]] = None,
                 layout: str = 'nturgb+d') -> None:
        super().__init__(prob)
        if order is None:
            if layout not in FLIP_ORDERS:
                raise ValueError(
                    f'SCDJointSwapFlip: no built-in flip order for layout '
                    f'{layout!r}; pass order=[...] (known: '
                    f'{sorted(FLIP_ORDERS)})')
            order = FLIP_ORDERS[layout]
        self.order = np.asarray(order, dtype=np.int64)
        if sorted(self.order.tolist()) != list(range(len(self.order))):
            raise ValueError(f'SCDJointSwapFlip: order must be a permutation,'
                             f' got {list(order)}')

    def _apply(self, results: dict, kp: np.ndarray) -> None:
        if kp.shape[2] != len(self.order):
            raise ValueError(f'SCDJointSwapFlip: order has {len(self.order)}'
                             f' joints, keypoint has {kp.shape[2]}')
        results['keypoint'] = kp[:, :, self.order]
        if 'keypoint_score' in results:
            results['keypoint_score'] = \
                results['keypoint_score'][:, :, self.order]


@TRANSFORMS.register_module()
class SCDRandomShear(_RandomSkeletonTransform):
    """Random shear: coordinates times a C x C matrix with unit diagonal and
    off-diagonal entries U(-magnitude, magnitude) (official ``Shear`` uses
    magnitude 1).

    Args:
        prob (float): Probability. Defaults to 0.5.
        magnitude (float): Off-diagonal bound. Defaults to 1.0.
    """

    def __init__(self, prob: float = 0.5, magnitude: float = 1.0) -> None:
        super().__init__(prob)
        self.magnitude = magnitude

    def _apply(self, results: dict, kp: np.ndarray) -> None:
        C = kp.shape[-1]
        S = np.random.uniform(-self.magnitude, self.magnitude, (C, C))
        np.fill_diagonal(S, 1.0)
        results['keypoint'] = (kp @ S.T).astype(np.float32)


@TRANSFORMS.register_module()
class SCDStructuralJointMask(_RandomSkeletonTransform):
    """Graph-aware spatial masking (see :func:`structural_joint_mask`).

    Args:
        prob (float): Probability. Defaults to 0.5.
        layout (str | dict): Skeleton layout (as in ``graph_cfg``). Defaults
            to 'nturgb+d_agcn' (the official graph).
        num_seeds (int): Seed joints. Defaults to 5.
        num_masked (int): Masked joints. Defaults to 8.
        hops (int): Power of ``I + A``. Defaults to 2.
    """

    def __init__(self,
                 prob: float = 0.5,
                 layout: Union[str, dict] = 'nturgb+d_agcn',
                 num_seeds: int = 5,
                 num_masked: int = 8,
                 hops: int = 2) -> None:
        super().__init__(prob)
        self.layout = layout
        self.adjacency = graph_adjacency(layout)
        self.num_seeds = num_seeds
        self.num_masked = num_masked
        self.hops = hops

    def _apply(self, results: dict, kp: np.ndarray) -> None:
        results['keypoint'], joints = structural_joint_mask(
            kp, self.adjacency, self.num_seeds, self.num_masked, self.hops)
        if 'keypoint_score' in results:
            score = results['keypoint_score'].copy()
            score[:, :, joints] = 0
            results['keypoint_score'] = score


@TRANSFORMS.register_module()
class SCDTemporalBlockMask(_RandomSkeletonTransform):
    """Temporal block masking (see :func:`temporal_block_mask`).

    Args:
        prob (float): Probability. Defaults to 0.5.
        block_len (int): Frames per block. Defaults to 4.
        num_masked_blocks (int): Masked blocks. Defaults to 6 (of 16 for 64
            frames).
    """

    def __init__(self,
                 prob: float = 0.5,
                 block_len: int = 4,
                 num_masked_blocks: int = 6) -> None:
        super().__init__(prob)
        self.block_len = block_len
        self.num_masked_blocks = num_masked_blocks

    def _apply(self, results: dict, kp: np.ndarray) -> None:
        results['keypoint'], frames = temporal_block_mask(
            kp, self.block_len, self.num_masked_blocks)
        if 'keypoint_score' in results:
            score = results['keypoint_score'].copy()
            score[:, frames] = 0
            results['keypoint_score'] = score
