"""Frame indices of a sparse clip and the dense clips that tile its span."""
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS


def sparse_dense_indices(start: int, clip_len: int,
                         stride: int) -> Tuple[np.ndarray, np.ndarray]:
    """Indices of one sparse clip and of the dense clips covering its span.

    The sparse clip takes ``clip_len`` frames at ``stride`` from ``start``
    (span ``clip_len * stride``); the span is tiled by ``stride`` dense clips
    of ``clip_len`` consecutive frames, so dense clip ``j`` starts where
    sparse frame ``j * clip_len / stride`` is (TimeBalance / TCLR: 16 frames
    at stride 4, four dense clips of 16 frames starting at ``s, s+16, s+32,
    s+48``).

    Args:
        start (int): First frame of the span.
        clip_len (int): Frames per clip.
        stride (int): Sparse stride = number of dense clips.

    Returns:
        tuple: ``sparse`` (clip_len,) and ``dense`` (stride, clip_len).
    """
    span = np.arange(clip_len * stride) + start
    return span[::stride], span.reshape(stride, clip_len)


@TRANSFORMS.register_module()
class SparseDenseSampleFrames(BaseTransform):
    """Sample one span of ``clip_len * stride`` consecutive frames.

    The whole span is decoded once (``frame_inds`` = the span); a later
    :class:`SparseDenseViews` cuts the sparse clip and the ``stride`` dense
    clips out of it (:func:`sparse_dense_indices`). The start is uniform
    over the valid starts (the centre in ``test_mode``); a video shorter than
    the span is looped, as MMAction2's ``SampleFrames`` does.

    Required keys: ``total_frames``, ``start_index`` (optional).
    Added keys: ``frame_inds`` (clip_len * stride,), ``clip_len``,
    ``frame_interval`` (1), ``num_clips`` (1), ``sparse_dense`` (dict with
    ``start``, ``clip_len``, ``stride``).

    Args:
        clip_len (int): Frames per (sparse or dense) clip. Defaults to 16.
        stride (int): Sparse stride and number of dense clips. Defaults to 4.
        test_mode (bool): Centre span instead of a random one.
            Defaults to False.
    """

    def __init__(self, clip_len: int = 16, stride: int = 4,
                 test_mode: bool = False) -> None:
        if clip_len < 1 or stride < 1:
            raise ValueError('SparseDenseSampleFrames: clip_len and stride '
                             f'must be >= 1, got {clip_len}, {stride}')
        self.clip_len = clip_len
        self.stride = stride
        self.test_mode = test_mode

    def transform(self, results: dict) -> dict:
        total = int(results['total_frames'])
        if total < 1:
            raise ValueError(f'SparseDenseSampleFrames: '
                             f'{results.get("filename", "a video")} has no '
                             'frames')
        span = self.clip_len * self.stride
        latest = max(total - span, 0)
        start = latest // 2 if self.test_mode else int(
            np.random.randint(latest + 1))
        inds = (np.arange(span) + start) % total
        results['frame_inds'] = inds + results.get('start_index', 0)
        results['clip_len'] = span
        results['frame_interval'] = 1
        results['num_clips'] = 1
        results['sparse_dense'] = dict(
            start=start, clip_len=self.clip_len, stride=self.stride)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'stride={self.stride}, test_mode={self.test_mode})')
