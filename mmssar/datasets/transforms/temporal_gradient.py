"""Temporal-gradient (TG) input for LTG-style RGB + TG training.

The temporal gradient of a sampled frame ``t`` is the per-channel difference
of the *raw* frames ``t`` and ``t + 1`` (adjacent at full frame rate, not the
next sampled frame), so a clip of ``T`` sampled frames yields ``T`` TG frames.
Two value mappings are offered:

- ``'uint8'`` (LTG parity): ``floor((x_t - x_{t+1} + 255) / 2)``, a static
  pixel maps to 127. The result is an ordinary uint8 image, so it can be
  normalised with the RGB statistics and go through uint8 augmentations.
- ``'float'``: the signed difference ``x_t - x_{t+1}`` as float32.

Online pipeline (one decode per video)::

    DecordInit -> SampleFramesWithNext -> DecordDecode -> TemporalGradient
    -> Resize / RandomResizedCrop / Flip / ... -> PickModality('rgb' | 'tg')
    -> (per-branch appearance aug) -> FormatShape -> PackActionInputs

``SampleFramesWithNext`` interleaves ``t + 1`` after every sampled ``t`` so a
single ``DecordDecode`` (or ``RawFrameDecode``) call reads both frames.
``TemporalGradient`` turns the pairs into ``T`` RGB frames followed by ``T``
TG frames in ``results['imgs']``; any MMAction2 spatial transform then treats
both modalities identically, because it applies one crop box / size / flip
to the whole frame list. TG is taken on the raw decoded frames *before* any
spatial transform, as the official code does (its TG frames are extracted
offline at full resolution, then cropped with the RGB box). Cropping and
flipping commute exactly with the per-pixel TG, resizing does not (the
interpolation is applied to TG instead of to the two frames).

Layout bookkeeping: ``results['modality_layout']`` is the tuple of modality
names in frame-list order and ``results['modality_len']`` the number of
frames of one modality in one crop (``num_clips * clip_len``). Multi-crop
transforms (``ThreeCrop``, ``TenCrop``) repeat the whole frame list per crop
(crop-major), so the list is ``n_crops x n_modalities x modality_len`` and
``PickModality`` can recover one modality for every crop; ``FormatShape``
then reshapes it as usual (``-1, num_clips, clip_len``).

Offline pipeline (precomputed TG JPEGs, see
``tools/data/extract_temporal_gradient.py``)::

    SampleFramesWithNext(decode_next=False) -> RawFrameDecode
    -> LoadOfflineTemporalGradient -> spatial transforms -> PickModality ...
"""
import os.path as osp
from typing import List, Optional, Sequence, Union

import mmcv
import numpy as np
from mmaction.datasets.transforms import SampleFrames, UniformSample
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmssar.registry import TRANSFORMS

#: Result keys describing how ``results['imgs']`` is split into modalities.
LAYOUT_KEY = 'modality_layout'
LEN_KEY = 'modality_len'
#: Set by ``SampleFramesWithNext``: frames come in ``(t, t + 1)`` pairs.
PAIRED_KEY = 'paired_next_frame'

Frames = Union[List[np.ndarray], np.ndarray]


def temporal_gradient(frame: np.ndarray,
                      next_frame: np.ndarray,
                      mode: str = 'uint8') -> np.ndarray:
    """Temporal gradient of one frame pair, per channel.

    Args:
        frame (np.ndarray): Frame ``t``, uint8, shape (H, W, C).
        next_frame (np.ndarray): Frame ``t + 1``, same shape.
        mode (str): ``'uint8'`` for ``floor((x_t - x_{t+1} + 255) / 2)`` as
            uint8 (LTG parity), ``'float'`` for the signed difference as
            float32. Defaults to ``'uint8'``.

    Returns:
        np.ndarray: TG frame of shape (H, W, C).
    """
    if frame.shape != next_frame.shape:
        raise ValueError('temporal_gradient: frame shapes differ: '
                         f'{frame.shape} vs {next_frame.shape}')
    if mode == 'uint8':
        # int16 holds -255..510 exactly; the shift is floor(/2) because the
        # value is non-negative, which equals the official float truncation.
        diff = frame.astype(np.int16) - next_frame.astype(np.int16) + 255
        return (diff >> 1).astype(np.uint8)
    if mode == 'float':
        return frame.astype(np.float32) - next_frame.astype(np.float32)
    raise ValueError(f"temporal_gradient: mode must be 'uint8' or 'float', "
                     f'got {mode!r}')


def _append_modality(results: dict, base: Frames, extra: List[np.ndarray],
                     name: str, keep_base: bool) -> None:
    """Store ``base`` (RGB) and ``extra`` frames with the layout keys."""
    if keep_base:
        results['imgs'] = list(base) + list(extra)
        results[LAYOUT_KEY] = ('rgb', name)
    else:
        results['imgs'] = list(extra)
        results[LAYOUT_KEY] = (name, )
    results[LEN_KEY] = len(extra)


class _WithNextFrame:
    """Mixin for a frame sampler: after the parent samples ``t``, add ``t + 1``.

    ``frame_inds`` becomes ``[t_1, t_1 + 1, t_2, t_2 + 1, ...]`` so that one
    ``DecordDecode`` / ``RawFrameDecode`` call decodes every frame
    ``TemporalGradient`` needs; the interleaved order keeps the indices
    monotonic within a clip, which suits sequential decoding.

    Args:
        exclude_last_frame (bool): Sample as if the video had
            ``total_frames - 1`` frames so that ``t + 1`` always exists
            (the official ``total_frames_offset=-1``). Otherwise ``t + 1`` is
            clamped to the last frame, which gives a static (127) TG frame.
            Defaults to True.
        decode_next (bool): Add the ``t + 1`` indices. Set False together
            with ``LoadOfflineTemporalGradient`` (TG read from disk) to keep
            only the official sampling. Defaults to True.
    """

    def __init__(self,
                 *args,
                 exclude_last_frame: bool = True,
                 decode_next: bool = True,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.exclude_last_frame = exclude_last_frame
        self.decode_next = decode_next

    def transform(self, results: dict) -> dict:
        """Sample ``t`` indices, then interleave ``t + 1`` after each one.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        total_frames = int(results['total_frames'])
        if total_frames < 1:
            video = results.get('filename', results.get('frame_dir'))
            raise ValueError(f'{type(self).__name__}: video {video} has '
                             f'total_frames={total_frames}')
        if self.exclude_last_frame and total_frames > 1:
            results['total_frames'] = total_frames - 1
            try:
                results = super().transform(results)
            finally:
                results['total_frames'] = total_frames
        else:
            results = super().transform(results)

        if not self.decode_next:
            results[PAIRED_KEY] = False
            return results
        base = results['frame_inds'].astype(np.int64)
        last = results['start_index'] + total_frames - 1
        nxt = np.minimum(base + 1, last)
        results['frame_inds'] = np.stack([base, nxt], 1).reshape(-1).astype(
            np.int32)
        results[PAIRED_KEY] = True
        return results

    def __repr__(self) -> str:
        return (super().__repr__()[:-1] +
                f', exclude_last_frame={self.exclude_last_frame}, '
                f'decode_next={self.decode_next})')


@TRANSFORMS.register_module()
class SampleFramesWithNext(_WithNextFrame, SampleFrames):
    """``SampleFrames`` that also loads the raw frame after each sample.

    Same arguments and randomness as MMAction2's ``SampleFrames``, plus
    ``exclude_last_frame`` and ``decode_next`` (see :class:`_WithNextFrame`).

    Required keys: ``total_frames``, ``start_index``.
    Added keys: ``frame_inds`` (2 x num_clips x clip_len when
    ``decode_next``), ``clip_len``, ``frame_interval``, ``num_clips``,
    ``paired_next_frame``.
    """


@TRANSFORMS.register_module()
class UniformSampleWithNext(_WithNextFrame, UniformSample):
    """``UniformSample`` (one frame per segment of the whole video) that also
    loads the raw frame after each sample; arguments as MMAction2's
    ``UniformSample`` plus those of :class:`_WithNextFrame`."""


@TRANSFORMS.register_module()
class TemporalGradient(BaseTransform):
    """Turn decoded ``(t, t + 1)`` frame pairs into RGB + TG frames.

    Must follow ``SampleFramesWithNext`` and a decode transform, and come
    before any spatial transform (so both modalities share crop and flip).

    Required keys: ``imgs`` (2 x M frames, pairs), ``frame_inds``,
    ``paired_next_frame``.
    Modified keys: ``imgs`` (M RGB frames then M TG frames, or only the M TG
    frames), ``frame_inds`` (the M sampled indices).
    Added keys: ``modality_layout``, ``modality_len`` (M).

    Args:
        mode (str): ``'uint8'`` (LTG parity) or ``'float'``; see
            :func:`temporal_gradient`. Defaults to ``'uint8'``.
        keep_rgb (bool): Keep the RGB frames ``t`` in front of the TG frames.
            False gives a TG-only clip (e.g. a TG test pipeline).
            Defaults to True.
    """

    def __init__(self, mode: str = 'uint8', keep_rgb: bool = True) -> None:
        if mode not in ('uint8', 'float'):
            raise ValueError(f"TemporalGradient: mode must be 'uint8' or "
                             f"'float', got {mode!r}")
        self.mode = mode
        self.keep_rgb = keep_rgb

    def transform(self, results: dict) -> dict:
        """Compute the TG frames.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        if not results.get(PAIRED_KEY, False):
            raise KeyError('TemporalGradient needs frames decoded in (t, t+1) '
                           'pairs: put SampleFramesWithNext (decode_next=True)'
                           ' before the decode transform')
        imgs = results['imgs']
        if len(imgs) % 2:
            raise ValueError('TemporalGradient: expected an even number of '
                             f'paired frames, got {len(imgs)}')
        rgb = imgs[0::2]
        tg = [
            temporal_gradient(cur, nxt, self.mode)
            for cur, nxt in zip(rgb, imgs[1::2])
        ]
        _append_modality(results, rgb, tg, 'tg', self.keep_rgb)
        results['frame_inds'] = np.asarray(results['frame_inds'])[0::2]
        results[PAIRED_KEY] = False
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, '
                f'keep_rgb={self.keep_rgb})')


@TRANSFORMS.register_module()
class LoadOfflineTemporalGradient(BaseTransform):
    """Read precomputed TG JPEGs at ``frame_inds`` and append them.

    Use after ``RawFrameDecode`` on a ``RawframeDataset``. The TG folder of a
    video is found either in the same folder as its RGB frames (official
    layout, ``filename_tmpl='tempgrad_{:05}.jpg'``) or in a parallel tree
    written by ``tools/data/extract_temporal_gradient.py``
    (``tg_prefix`` + path of ``frame_dir`` relative to ``rgb_prefix``).

    Required keys: ``imgs`` (RGB frames), ``frame_inds``, ``frame_dir``,
    ``filename_tmpl``, ``offset`` (optional).
    Modified keys: ``imgs`` (RGB then TG frames, or TG only).
    Added keys: ``modality_layout``, ``modality_len``.

    Args:
        tg_prefix (str, optional): Root of the TG tree. None means the TG
            frames live next to the RGB frames. Defaults to None.
        rgb_prefix (str, optional): Root of the RGB tree (the dataset's
            ``data_prefix['img']``); required with ``tg_prefix``.
            Defaults to None.
        filename_tmpl (str, optional): TG file name template; None reuses
            ``results['filename_tmpl']``. Defaults to None.
        keep_rgb (bool): Keep the RGB frames in front. Defaults to True.
        backend_args (dict, optional): ``mmengine.fileio`` backend
            arguments. Defaults to None.
    """

    def __init__(self,
                 tg_prefix: Optional[str] = None,
                 rgb_prefix: Optional[str] = None,
                 filename_tmpl: Optional[str] = None,
                 keep_rgb: bool = True,
                 backend_args: Optional[dict] = None) -> None:
        if tg_prefix is not None and rgb_prefix is None:
            raise ValueError('LoadOfflineTemporalGradient: rgb_prefix is '
                             'required with tg_prefix')
        if tg_prefix is None and filename_tmpl is None:
            raise ValueError('LoadOfflineTemporalGradient: give tg_prefix '
                             '(parallel tree) or filename_tmpl (same folder)')
        self.tg_prefix = tg_prefix
        self.rgb_prefix = rgb_prefix
        self.filename_tmpl = filename_tmpl
        self.keep_rgb = keep_rgb
        self.backend_args = backend_args

    def _tg_dir(self, frame_dir: str) -> str:
        if self.tg_prefix is None:
            return frame_dir
        rel = osp.relpath(frame_dir, self.rgb_prefix)
        if rel.startswith('..'):
            raise ValueError(f'LoadOfflineTemporalGradient: frame_dir '
                             f'{frame_dir} is not under rgb_prefix '
                             f'{self.rgb_prefix}')
        return osp.join(self.tg_prefix, rel)

    def transform(self, results: dict) -> dict:
        """Load the TG frames.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        if results.get(PAIRED_KEY, False):
            raise KeyError('LoadOfflineTemporalGradient reads TG from disk: '
                           'use SampleFramesWithNext(decode_next=False)')
        tg_dir = self._tg_dir(results['frame_dir'])
        tmpl = self.filename_tmpl or results['filename_tmpl']
        offset = results.get('offset', 0)
        cache = {}
        tg = []
        for idx in np.asarray(results['frame_inds']).reshape(-1):
            idx = int(idx) + offset
            if idx not in cache:
                path = osp.join(tg_dir, tmpl.format(idx))
                try:
                    data = fileio.get(path, backend_args=self.backend_args)
                except FileNotFoundError as err:
                    raise FileNotFoundError(
                        f'LoadOfflineTemporalGradient: missing TG frame '
                        f'{path}') from err
                cache[idx] = mmcv.imfrombytes(data, channel_order='rgb')
            tg.append(cache[idx].copy())
        rgb = results['imgs']
        if len(tg) and len(rgb) and rgb[0].shape != tg[0].shape:
            raise ValueError(f'LoadOfflineTemporalGradient: TG frames in '
                             f'{tg_dir} have shape {tg[0].shape}, RGB frames '
                             f'{rgb[0].shape}')
        _append_modality(results, rgb, tg, 'tg', self.keep_rgb)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(tg_prefix={self.tg_prefix!r}, '
                f'rgb_prefix={self.rgb_prefix!r}, '
                f'filename_tmpl={self.filename_tmpl!r}, '
                f'keep_rgb={self.keep_rgb})')


@TRANSFORMS.register_module()
class PickModality(BaseTransform):
    """Keep the frames of one modality (e.g. per ``MultiView`` branch).

    Works after multi-crop transforms: the frame list is read as
    ``n_crops x n_modalities x modality_len`` (crop-major, which is how
    ``ThreeCrop`` / ``TenCrop`` repeat the list), and the chosen modality of
    every crop is kept in crop order, ready for ``FormatShape``.

    Required keys: ``imgs``, ``modality_layout``, ``modality_len``.
    Modified keys: ``imgs``, ``modality_layout``.

    Args:
        modality (str): Name to keep, ``'rgb'`` or ``'tg'``.
    """

    def __init__(self, modality: str) -> None:
        self.modality = modality

    def transform(self, results: dict) -> dict:
        """Select the frames.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        if LAYOUT_KEY not in results or LEN_KEY not in results:
            raise KeyError(f'PickModality: results lack {LAYOUT_KEY!r} / '
                           f'{LEN_KEY!r}; put TemporalGradient or '
                           'LoadOfflineTemporalGradient before it')
        layout: Sequence[str] = results[LAYOUT_KEY]
        if self.modality not in layout:
            raise KeyError(f'PickModality: modality {self.modality!r} not in '
                           f'the frame layout {tuple(layout)}')
        per_mod = int(results[LEN_KEY])
        group = per_mod * len(layout)
        imgs = results['imgs']
        if per_mod < 1 or len(imgs) % group:
            raise ValueError(f'PickModality: {len(imgs)} frames cannot be '
                             f'split into crops of {len(layout)} modalities '
                             f'x {per_mod} frames; a transform changed the '
                             'number of frames per crop')
        start = layout.index(self.modality) * per_mod
        index = [
            crop * group + start + i for crop in range(len(imgs) // group)
            for i in range(per_mod)
        ]
        if isinstance(imgs, np.ndarray):
            results['imgs'] = imgs[index]
        else:
            results['imgs'] = [imgs[i] for i in index]
        results[LAYOUT_KEY] = (self.modality, )
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(modality={self.modality!r})'
