"""Several augmented views of one decoded sample."""
import copy
from typing import Dict, List, Optional

from mmcv.transforms import BaseTransform, Compose

from mmssar.registry import TRANSFORMS


@TRANSFORMS.register_module()
class MultiView(BaseTransform):
    """Run ``shared`` once, then one pipeline per view on a copy of its result.

    Decoding is the expensive part of a video pipeline, so it belongs to
    ``shared``: a weak and a strong view then cost one decode. "Strong derived
    from weak" is expressed by putting the weak augmentation (crop, flip) in
    ``shared`` and only appearance/temporal perturbations in the strong view;
    views that need independent clips put sampling and decoding in the view
    pipelines instead.

    Every view pipeline must end with ``PackActionInputs``. The output is one
    packed sample whose ``inputs`` is a dict ``{view_name: tensor}`` and whose
    ``data_samples`` is the packed data sample of the first view (labels and
    metainfo are shared by all views of a sample).

    Args:
        views (dict[str, list[dict]]): View name -> transform configs.
        shared (list[dict], optional): Transforms run once before branching.
            Defaults to None.
    """

    def __init__(self,
                 views: Dict[str, List[dict]],
                 shared: Optional[List[dict]] = None) -> None:
        if not views:
            raise ValueError('MultiView needs at least one view')
        self.shared = Compose(shared or [])
        self.views = {
            name: Compose(pipeline)
            for name, pipeline in views.items()
        }

    def transform(self, results: dict) -> Optional[dict]:
        results = self.shared(results)
        if results is None:
            return None
        inputs, data_sample = {}, None
        last = len(self.views) - 1
        for i, (name, pipeline) in enumerate(self.views.items()):
            # the last view may consume the shared result itself
            out = pipeline(results if i == last else copy.deepcopy(results))
            if out is None:
                return None
            if 'inputs' not in out or 'data_samples' not in out:
                raise KeyError(
                    f'view {name!r} of MultiView must end with '
                    'PackActionInputs (no "inputs"/"data_samples" key)')
            inputs[name] = out['inputs']
            if data_sample is None:
                data_sample = out['data_samples']
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(shared={self.shared}, '
                f'views={list(self.views)})')
