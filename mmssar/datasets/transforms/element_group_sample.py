"""SeFAR's dual-level temporal elements: segment sampling and groups."""
from typing import Dict, Sequence, Tuple

from mmaction.datasets.transforms import UniformSample

from mmssar.registry import TRANSFORMS


def element_groups(sizes: Sequence[int]) -> Tuple[Tuple[int, ...], ...]:
    """Assign the ``S = sum(sizes)`` segments of a clip to temporal elements.

    SeFAR's greedy rule: elements are served from the LAST one backwards;
    an element of ``n`` frames walks the segment indices and takes index
    ``j`` when it is free and ``j >= taken * S / n`` (``taken`` = segments
    it already holds), so each element is spread evenly over the clip and
    the elements are disjoint. ``(2, 2, 4)`` gives ``((3, 7), (1, 5),
    (0, 2, 4, 6))``: two fine 2-frame elements half a clip apart and a
    4-frame context element.

    Args:
        sizes (Sequence[int]): Frames per element, fine ones first.

    Returns:
        tuple[tuple[int, ...], ...]: Per element, its sorted segment (= frame
        position) indices in the ``S``-frame clip.
    """
    sizes = [int(n) for n in sizes]
    if not sizes or any(n < 1 for n in sizes):
        raise ValueError(f'element sizes must be positive, got {sizes}')
    total = sum(sizes)
    free = [True] * total
    groups = [None] * len(sizes)
    for k in reversed(range(len(sizes))):
        n, taken = sizes[k], []
        for j in range(total):
            if free[j] and j >= len(taken) * total / n:
                taken.append(j)
                free[j] = False
                if len(taken) == n:
                    break
        if len(taken) < n:
            # the official code then draws random (overlapping) segments;
            # a sampling that depends on chance is refused instead
            raise ValueError(f'element sizes {sizes} cannot be laid out as '
                             'disjoint evenly spread elements')
        groups[k] = tuple(taken)
    return tuple(groups)


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
