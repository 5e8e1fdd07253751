"""The records that travel through one semi-supervised training step."""
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Sequence

import torch
from torch import Tensor

from ..utils.recognizer_io import GroupOutput


class SemiBatch(NamedTuple):
    """One preprocessed (labeled, unlabeled) batch pair.

    Attributes:
        sup (dict[str, Tensor]): Named labeled views (``'default'`` for a
            single-view labeled pipeline), ``(N, ...)`` each.
        unsup (dict[str, Tensor]): Named unlabeled views, ``(M, ...)`` each.
        sup_samples (list[ActionDataSample]): Labeled data samples.
        unsup_samples (list[ActionDataSample]): Unlabeled data samples.
        sup_meta (dict[str, Tensor]): ``labels`` (N,), ``sample_idx`` (N,).
        unsup_meta (dict[str, Tensor]): ``sample_idx`` (M,),
            ``hidden_labels`` (M,) (-1 = unknown), ``num_skipped`` ().
    """
    sup: Dict[str, Tensor]
    unsup: Dict[str, Tensor]
    sup_samples: List
    unsup_samples: List
    sup_meta: Dict[str, Tensor]
    unsup_meta: Dict[str, Tensor]


class PseudoLabels(NamedTuple):
    """Targets for the unlabeled samples.

    Attributes:
        probs (Tensor): ``(M, K)`` detached distribution the targets come
            from (monitored against the hidden labels).
        targets (Tensor): ``(M, K)`` target distributions (one-hot for hard
            pseudo-labels).
        weights (Tensor): ``(M,)`` per-sample weights in [0, 1], the product
            of the algorithm's weighters (a 0/1 mask for a threshold).
    """
    probs: Tensor
    targets: Tensor
    weights: Tensor


@dataclass
class SemiStep:
    """What the template's steps have computed so far in this iteration.

    Attributes:
        batch (SemiBatch): The inputs.
        student (dict[str, GroupOutput]): Student outputs per group
            (``'sup'`` and the unlabeled views it saw).
        teachers (dict[str, dict[str, GroupOutput]]): Teacher name -> view
            -> output (no gradient).
        pseudo (PseudoLabels, optional): Targets of the unlabeled samples.
        logs (dict[str, Tensor]): Extra values to log (not losses).
    """
    batch: SemiBatch
    student: Dict[str, GroupOutput] = field(default_factory=dict)
    teachers: Dict[str, Dict[str, GroupOutput]] = field(default_factory=dict)
    pseudo: Optional[PseudoLabels] = None
    logs: Dict[str, Tensor] = field(default_factory=dict)


class SemiLosses(NamedTuple):
    """The loss terms of one step, grouped by how they are weighted.

    Attributes:
        sup (dict): Supervised terms, scaled by ``sup_weight`` and logged
            as ``sup_*``.
        unsup (dict): Unsupervised terms, scaled by the scheduled
            ``unsup_weight`` and logged as ``unsup_*``.
        extra (dict): Terms added as they are (their own weights).
        pseudo (PseudoLabels, optional): For monitoring.
        logs (dict): Non-loss values to log.
    """
    sup: Dict[str, Tensor]
    unsup: Dict[str, Tensor]
    extra: Dict[str, Tensor]
    pseudo: Optional[PseudoLabels]
    logs: Dict[str, Tensor]


def batch_meta(sup_samples: Sequence, unsup_samples: Sequence,
               device=None) -> Dict[str, Dict[str, Tensor]]:
    """The tensor metadata of a batch pair (see :class:`SemiBatch`)."""

    def ints(values):
        return torch.tensor(values, dtype=torch.long, device=device)

    def label(s):
        return int(s.gt_label.reshape(-1)[0]) if 'gt_label' in s else -1

    skipped = sum(len(s.metainfo.get('skipped', ())) for s in unsup_samples)
    return dict(
        sup=dict(
            labels=ints([label(s) for s in sup_samples]),
            sample_idx=ints(
                [s.metainfo.get('sample_idx', -1) for s in sup_samples])),
        unsup=dict(
            sample_idx=ints(
                [s.metainfo.get('sample_idx', -1) for s in unsup_samples]),
            hidden_labels=ints(
                [s.metainfo.get('hidden_label', -1) for s in unsup_samples]),
            num_skipped=torch.tensor(float(skipped), device=device)))
