"""SeFAR's dual-level temporal elements: segment sampling and groups."""
from typing import Dict, Sequence, Tuple

from mmaction.datasets.transforms import UniformSample

from mmssar.registry import TRANSFORMS
from mmssar.utils.temporal_elements import element_groups  # noqa: F401


@TRANSFORMS.register_module()
class ElementGroupSample(UniformSample):
    """Sample one frame from each of ``S = sum(element_sizes)`` equal
    segments and record how the frames form SeFAR's temporal elements.

    The frames stay in temporal (segment) order, so the clip is an ordinary
    ``S``-frame clip (any recognizer can read it) and decoding happens once;
    the element membership is recorded as ``element_groups`` (positions in
    the clip, see :func:`element_groups`), which the temporal perturbations
    and :class:`~mmssar.models.backbones.ElementGroupBackbone` use. Weak and
    strong views of one decode come from
    :class:`~mmssar.datasets.transforms.MultiView` after this transform.

    Sampling is MMAction2's ``UniformSample`` with ``clip_len = S``: a
    random frame inside each segment in training (SeFAR's TSN-style jitter),
    evenly offset frames for ``num_clips`` test views.

    Required keys: ``total_frames``, ``start_index``.
    Added keys: ``frame_inds`` (num_clips * S,), ``clip_len``,
    ``frame_interval``, ``num_clips``, ``element_groups``.

    Args:
        element_sizes (Sequence[int]): Frames per element, fine elements
            first, the context element last. Defaults to ``(2, 2, 4)``.
        num_clips (int): Views per video (test). Defaults to 1.
        test_mode (bool): Deterministic offsets. Defaults to False.
    """

    def __init__(self,
                 element_sizes: Sequence[int] = (2, 2, 4),
                 num_clips: int = 1,
                 test_mode: bool = False) -> None:
        self.element_sizes = tuple(int(n) for n in element_sizes)
        self.groups = element_groups(self.element_sizes)
        super().__init__(
            clip_len=sum(self.element_sizes),
            num_clips=num_clips,
            test_mode=test_mode)

    def transform(self, results: Dict) -> Dict:
        if results.get('total_frames', 0) < 1:
            raise ValueError(
                f'{results.get("filename", "a sample")} has no frames '
                f'(total_frames={results.get("total_frames")})')
        results = super().transform(results)
        if not self.test_mode:
            # UniformSample draws its training frames for one clip only
            results['num_clips'] = 1
        results['element_groups'] = self.groups
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(element_sizes='
                f'{self.element_sizes}, num_clips={self.num_clips}, '
                f'test_mode={self.test_mode})')
