"""Named, independently augmented sparse and dense clips of one decode."""
import copy
from typing import List

from mmcv.transforms import BaseTransform, Compose

from mmssar.registry import TRANSFORMS
from .sparse_dense_sample import sparse_dense_indices


def sparse_dense_view_names(stride: int = 4, num_augs: int = 2) -> List[str]:
    """View names in output order: ``sparse_a{a}`` then ``dense{j}_a{a}``."""
    return [f'sparse_a{a}' for a in range(num_augs)] + [
        f'dense{j}_a{a}' for j in range(stride) for a in range(num_augs)
    ]


@TRANSFORMS.register_module()
class SparseDenseViews(BaseTransform):
    """Cut the sparse and dense clips out of a decoded span, augment each.

    Follows :class:`SparseDenseSampleFrames` + a decode. From the decoded
    span (``imgs``, ``clip_len * stride`` frames) it takes the sparse clip
    (every ``stride``-th frame) and the ``stride`` dense clips (consecutive
    quarters), and runs ``pipeline`` on a copy of each ``num_augs`` times
    (independent random augmentation per run; one set of parameters for all
    frames of a clip, as MMAction2's transforms do). TimeBalance: 2 x (1
    sparse + 4 dense) = 10 views per video.

    Output like :class:`MultiView`: ``inputs`` = ``{name: tensor}`` with the
    names of :func:`sparse_dense_view_names` (``sparse_a0``, ``sparse_a1``,
    ``dense0_a0``, ``dense0_a1``, ...), ``data_samples`` of the first view.

    Args:
        pipeline (list[dict]): Augmentation, format and
            ``PackActionInputs`` of one clip.
        num_augs (int): Augmented copies of each clip. Defaults to 2.
    """

    def __init__(self, pipeline: List[dict], num_augs: int = 2) -> None:
        if num_augs < 1:
            raise ValueError(f'num_augs must be >= 1, got {num_augs}')
        self.pipeline = Compose(pipeline)
        self.num_augs = num_augs

    def transform(self, results: dict) -> dict:
        layout = results.get('sparse_dense')
        if layout is None:
            raise KeyError('SparseDenseViews needs SparseDenseSampleFrames '
                           'earlier in the pipeline (no "sparse_dense" key)')
        clip_len, stride = layout['clip_len'], layout['stride']
        imgs = results['imgs']
        if len(imgs) != clip_len * stride:
            raise ValueError(f'SparseDenseViews: decoded {len(imgs)} frames, '
                             f'expected {clip_len * stride}')
        sparse, dense = sparse_dense_indices(0, clip_len, stride)
        clips = dict(sparse=sparse, **{f'dense{j}': d
                                       for j, d in enumerate(dense)})
        base = {k: v for k, v in results.items() if k != 'imgs'}
        base.update(clip_len=clip_len, num_clips=1)
        inputs, data_sample = {}, None
        for name, inds in clips.items():
            for a in range(self.num_augs):
                view = copy.deepcopy(base)
                view['imgs'] = [imgs[i] for i in inds]
                view['frame_inds'] = results['frame_inds'][inds]
                out = self.pipeline(view)
                if out is None or 'inputs' not in out:
                    raise KeyError('the pipeline of SparseDenseViews must '
                                   'end with PackActionInputs')
                inputs[f'{name}_a{a}'] = out['inputs']
                if data_sample is None:
                    data_sample = out['data_samples']
        order = sparse_dense_view_names(stride, self.num_augs)
        return dict(inputs={k: inputs[k] for k in order},
                    data_samples=data_sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_augs={self.num_augs}, '
                f'pipeline={self.pipeline})')
