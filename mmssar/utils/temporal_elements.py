"""SeFAR's temporal elements and the frame orders of their perturbations.

Neutral (no datasets / models imports): the pipeline transforms in
``mmssar.datasets.transforms`` and the batched on-device modules in
``mmssar.models`` draw from the same functions.
"""
from typing import Optional, Sequence, Tuple

import torch


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


#: frame-order perturbations; ``channel_flip`` is the released code's
#: behaviour (see :class:`TemporalPerturbation`)
PERTURBATION_MODES = ('reverse', 'shuffle', 'warp', 'channel_flip')
SCOPES = ('fine', 'elements', 'clip')


def perturbed_groups(element_sizes: Sequence[int],
                     scope: str) -> Tuple[Tuple[int, ...], ...]:
    """Frame positions, per group, that a perturbation rearranges.

    Args:
        element_sizes (Sequence[int]): SeFAR element sizes (fine first).
        scope (str): ``'fine'`` (every element but the last, context
            element: the paper's moderate perturbation), ``'elements'``
            (every element, each on its own) or ``'clip'`` (the whole clip
            as one group).

    Returns:
        tuple[tuple[int, ...], ...]: Sorted positions per group.
    """
    if scope not in SCOPES:
        raise ValueError(f'scope must be one of {SCOPES}, got {scope!r}')
    groups = element_groups(element_sizes)
    if scope == 'fine':
        return groups[:-1]
    if scope == 'elements':
        return groups
    return (tuple(range(sum(element_sizes))), )


def perturbed_order(mode: str, groups: Sequence[Sequence[int]],
                    num_frames: int,
                    generator: Optional[torch.Generator] = None
                    ) -> torch.Tensor:
    """The frame order of one perturbed clip: ``out[t] = clip[order[t]]``.

    Positions outside ``groups`` keep their frame. Inside each group:

    - ``'reverse'``: the group's frames in reverse time order;
    - ``'shuffle'``: a random permutation of the group's frames;
    - ``'warp'``: a random monotone re-timing (sorted draws with
      replacement from the group's frames: some repeat, some drop), i.e. a
      random local speed change;
    - ``'channel_flip'``: no re-ordering (the identity).

    Args:
        mode (str): One of :data:`PERTURBATION_MODES`.
        groups (Sequence[Sequence[int]]): Positions per group.
        num_frames (int): Frames ``T`` of the clip.
        generator (torch.Generator, optional): CPU generator; torch's global
            RNG when None.

    Returns:
        Tensor: ``(T,)`` int64 order.
    """
    if mode not in PERTURBATION_MODES:
        raise ValueError(
            f'mode must be one of {PERTURBATION_MODES}, got {mode!r}')
    order = torch.arange(num_frames)
    for group in groups:
        pos = torch.as_tensor(group, dtype=torch.long)
        if pos.numel() and int(pos.max()) >= num_frames:
            raise ValueError(f'group {tuple(group)} does not fit a clip of '
                             f'{num_frames} frames')
        if mode == 'reverse':
            order[pos] = pos.flip(0)
        elif mode == 'shuffle':
            order[pos] = pos[torch.randperm(len(pos), generator=generator)]
        elif mode == 'warp':
            draws = torch.randint(len(pos), (len(pos), ), generator=generator)
            order[pos] = pos[draws.sort().values]
    return order
