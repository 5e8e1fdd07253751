"""One short clip and K long clips, all decoded by one decode call."""
from typing import Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS

Interval = Union[int, str]


@TRANSFORMS.register_module()
class MultiScaleSampleFrames(BaseTransform):
    """Frame indices of a short clip followed by K long clips.

    Every clip has ``clip_len`` frames. The short clip takes one frame every
    ``frame_interval`` (span ``clip_len * frame_interval``); long clip ``k``
    takes one every ``long_intervals[k]`` frames (a larger span, same frame
    count), or, for ``'uniform'``, one frame per ``clip_len``-th of the whole
    video (as ``UniformSample``). Each long window contains the short clip's
    centre, so it is the temporal context of that clip.

    All ``(1 + K) * clip_len`` indices go into ``frame_inds`` (short first),
    so the decode that follows (``DecordDecode``) runs once and shared
    augmentations (crop, flip) treat every clip alike; :class:`SelectClip`
    then cuts one clip out per view of a ``MultiView``. Indices beyond the
    video loop over it (as ``SampleFrames``' default ``'loop'``).

    Required keys: ``total_frames``, ``start_index`` (optional, 0).
    Added keys: ``frame_inds``, ``clip_len``, ``frame_interval``,
    ``num_clips`` (= 1 + K), ``clip_intervals`` (list, short first).

    Args:
        clip_len (int): Frames per clip.
        frame_interval (int): Interval of the short clip. Defaults to 1.
        long_intervals (Sequence[int | str]): One interval per long clip,
            each larger than ``frame_interval``, or ``'uniform'``.
            Defaults to ``(4, )``.
        test_mode (bool): Deterministic, centred windows. Defaults to False.
    """

    def __init__(self, clip_len: int, frame_interval: int = 1,
                 long_intervals: Sequence[Interval] = (4, ),
                 test_mode: bool = False) -> None:
        if clip_len < 1 or frame_interval < 1:
            raise ValueError('MultiScaleSampleFrames: clip_len and '
                             'frame_interval must be >= 1')
        for k in long_intervals:
            if k != 'uniform' and (not isinstance(k, int)
                                   or k <= frame_interval):
                raise ValueError(
                    'MultiScaleSampleFrames: every long interval must be an '
                    f'int > frame_interval ({frame_interval}) or "uniform", '
                    f'got {k!r}')
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.long_intervals = list(long_intervals)
        self.test_mode = test_mode

    def _start(self, low: int, high: int) -> int:
        """A start in [low, high] (random in training, the middle in test)."""
        if high <= low:
            return low
        if self.test_mode:
            return (low + high) // 2
        return int(np.random.randint(low, high + 1))

    def _strided(self, total: int, interval: int, centre: float) -> np.ndarray:
        extent = (self.clip_len - 1) * interval + 1  # frames it spans
        if centre is None:  # the short clip: anywhere in the video
            start = self._start(0, total - extent)
        else:  # a window of the video that contains the short clip's centre
            low = max(0, int(np.ceil(centre - extent + 1)))
            high = min(int(centre), max(0, total - extent))
            start = self._start(min(low, high), high)
        return start + np.arange(self.clip_len) * interval

    def _uniform(self, total: int) -> np.ndarray:
        bounds = np.linspace(0, total, self.clip_len + 1)
        if self.test_mode:
            inds = (bounds[:-1] + bounds[1:]) / 2
        else:
            inds = bounds[:-1] + np.random.rand(self.clip_len) * np.diff(
                bounds)
        return np.minimum(inds.astype(np.int64), total - 1)

    def transform(self, results: dict) -> dict:
        total = int(results['total_frames'])
        if total < 1:
            raise ValueError('MultiScaleSampleFrames: '
                             f'{results.get("filename")} has total_frames='
                             f'{total}')
        short = self._strided(total, self.frame_interval, None)
        centre = (short[0] + short[-1]) / 2
        clips = [short] + [
            self._uniform(total) if k == 'uniform' else self._strided(
                total, k, centre) for k in self.long_intervals
        ]
        inds = np.concatenate(clips) % total + results.get('start_index', 0)
        results['frame_inds'] = inds.astype(np.int32)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = self.frame_interval
        results['num_clips'] = len(clips)
        results['clip_intervals'] = [self.frame_interval] + self.long_intervals
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'frame_interval={self.frame_interval}, long_intervals='
                f'{self.long_intervals}, test_mode={self.test_mode})')
