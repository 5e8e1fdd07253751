"""Keep one clip of a multi-clip sample (a view of a MultiView)."""
from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SelectClip(BaseTransform):
    """Keep clip ``index`` of the ``num_clips`` clips in ``imgs``.

    ``imgs`` holds ``num_clips * clip_len`` frames, clip after clip (as
    ``SampleFrames`` or :class:`MultiScaleSampleFrames` and a decode leave
    them). Afterwards it holds ``clip_len`` frames and ``num_clips`` is 1,
    so ``FormatShape`` packs one clip (C, T, H, W) per sample.

    Required keys: ``imgs``, ``clip_len``, ``num_clips``.
    Modified keys: ``imgs``, ``num_clips``, ``frame_inds`` (if present),
    ``frame_interval`` (from ``clip_intervals`` if present).

    Args:
        index (int): Which clip, 0-based.
    """

    def __init__(self, index: int) -> None:
        if index < 0:
            raise ValueError(f'SelectClip: index must be >= 0, got {index}')
        self.index = index

    def transform(self, results: dict) -> dict:
        clip_len, num_clips = results['clip_len'], results['num_clips']
        imgs = results['imgs']
        if self.index >= num_clips or len(imgs) != clip_len * num_clips:
            raise ValueError(
                f'SelectClip(index={self.index}): {results.get("filename")} '
                f'has {len(imgs)} frames for num_clips={num_clips} x '
                f'clip_len={clip_len}')
        cut = slice(self.index * clip_len, (self.index + 1) * clip_len)
        results['imgs'] = imgs[cut]
        if 'frame_inds' in results:
            results['frame_inds'] = results['frame_inds'][cut]
        if 'clip_intervals' in results:
            results['frame_interval'] = results['clip_intervals'][self.index]
        results['num_clips'] = 1
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(index={self.index})'
