"""Draw labeled / unlabeled subsets of a fully labeled training list.

Two protocols are used in the semi-supervised action recognition literature
(see ``docs/data_preparation.md``):

* ``balanced`` (default): every class keeps ``max(1, round(ratio * n_c))``
  labeled samples, or exactly ``per_class`` of them. ``round`` is Python's
  ``round`` of the float product, i.e. halves go to the even neighbour, as in
  the CrosSCLR / AimCLR ``Feeder_semi`` lineage; the ``max(1, .)`` makes sure
  no class is left without labels.
* ``random``: ``max(1, floor(ratio * N))`` samples drawn uniformly from the
  whole list, as in the skeleton-contrast / CMD / SCD-Net lineage (usually
  repeated with five seeds and averaged). A class may end up without labels;
  this is reported, not refused.

The draw is a function of the seed and of the *set* of (key, label) pairs:
keys are sorted before sampling, so shuffling the input file does not change
which samples are labeled. The output lists keep the input order.
"""
import hashlib
import json
import math
import os
import os.path as osp
import pickle
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

from .ann_io import AnnRecord, load_pose_pickle

PROTOCOLS = ('balanced', 'random')
SPLIT_FORMAT_VERSION = 1
ROUNDING = {
    'balanced': 'per class: max(1, round(ratio * n_c)) with Python round '
                '(half to even), or exactly per_class',
    'random': 'whole list: max(1, floor(ratio * N)), uniform without '
              'replacement',
}


class SplitError(ValueError):
    """An impossible or ill-posed split request."""


@dataclass(frozen=True)
class SplitPreset:
    """A named, documented label-ratio setting.

    Attributes:
        protocol (str): ``balanced`` or ``random``.
        ratio (float, optional): Labeled fraction.
        per_class (int, optional): Labeled samples per class.
        num_classes (int, optional): Classes the input list must cover
            (None: inferred from the labels, for lists whose training split
            may miss classes).
        split (str, optional): Split name to read from a pose pickle.
        follows (str): Which published lineage the preset reproduces.
    """
    protocol: str
    num_classes: Optional[int]
    ratio: Optional[float] = None
    per_class: Optional[int] = None
    split: Optional[str] = None
    follows: str = ''


def _build_presets() -> Dict[str, SplitPreset]:
    presets = {}
    video_note = ('class-balanced fraction of the split-1 training pool; '
                  'SeFAR / SVFormer lists are per-class too (exact subsets '
                  'are not reproducible, their sampling code is not '
                  'released); the LTG / VideoSSL UCF101 and HMDB51 lists are '
                  'NOT class-balanced')
    for pct in (1, 5, 10, 20, 50):
        presets[f'ucf101-{pct}pct'] = SplitPreset(
            'balanced', 101, ratio=pct / 100, follows=video_note)
    for pct in (40, 50, 60):
        presets[f'hmdb51-{pct}pct'] = SplitPreset(
            'balanced', 51, ratio=pct / 100, follows=video_note)
    k400_note = ('LTG Kinetics-400 lists: a fixed number per class (6 for '
                 '1 %, 60 for 10 %)')
    presets['kinetics400-1pct'] = SplitPreset(
        'balanced', 400, per_class=6, follows=k400_note)
    presets['kinetics400-10pct'] = SplitPreset(
        'balanced', 400, per_class=60, follows=k400_note)
    fine_note = ('SeFAR fine-grained setting: class-balanced fraction of '
                 'the element-level (FineGym) / dive-level (FineDiving) '
                 'training list, max(1, round(p * n_c)) so that every class '
                 'has a label; SeFAR\'s own lists are not released (its '
                 'Gym288 10 % list leaves classes unlabeled, which this '
                 'does not reproduce)')
    for pct in (5, 10):
        presets[f'gym99-{pct}pct'] = SplitPreset(
            'balanced', 99, ratio=pct / 100, follows=fine_note)
        # Gym288 and FineDiving: the training lists need not cover every
        # class, so the classes are counted from the list itself
        presets[f'gym288-{pct}pct'] = SplitPreset(
            'balanced', None, ratio=pct / 100, follows=fine_note)
        presets[f'finediving-{pct}pct'] = SplitPreset(
            'balanced', None, ratio=pct / 100, follows=fine_note)
    for bench in ('xsub', 'xview'):
        for pct in (1, 10):
            presets[f'ntu60-{bench}-{pct}pct-balanced'] = SplitPreset(
                'balanced', 60, ratio=pct / 100, split=f'{bench}_train',
                follows='CrosSCLR / AimCLR Feeder_semi: round(p * n_c) per '
                'class')
            presets[f'ntu60-{bench}-{pct}pct-random'] = SplitPreset(
                'random', 60, ratio=pct / 100, split=f'{bench}_train',
                follows='skeleton-contrast / CMD / SCD-Net: uniform '
                'floor(p * N) of the whole list; run seeds 0-4 and average')
    return presets


PRESETS = _build_presets()


@dataclass
class SplitResult:
    """Outcome of :func:`make_split`.

    Attributes:
        labeled (list[int]): Indices into the input records, input order.
        unlabeled (list[int]): The complement, input order.
        info (dict): JSON-serialisable description of the draw.
    """
    labeled: List[int]
    unlabeled: List[int]
    info: dict = field(default_factory=dict)


def num_labeled_for_class(n_c: int, ratio: float) -> int:
    """Labeled samples of a class of ``n_c`` samples (balanced protocol)."""
    return min(n_c, max(1, round(ratio * n_c)))


def num_labeled_random(n: int, ratio: float) -> int:
    """Labeled samples of a list of ``n`` samples (random protocol)."""
    # The epsilon absorbs float artefacts such as 0.29 * 100 = 28.999...
    return min(n, max(1, math.floor(ratio * n + 1e-9)))


def _check_request(records: Sequence[AnnRecord], ratio: Optional[float],
                   per_class: Optional[int], protocol: str) -> None:
    if protocol not in PROTOCOLS:
        raise SplitError(f'unknown protocol {protocol!r}; expected one of '
                         f'{PROTOCOLS}')
    if (ratio is None) == (per_class is None):
        raise SplitError('give exactly one of ratio and per_class')
    if ratio is not None and not 0 < ratio <= 1:
        raise SplitError(f'ratio must lie in (0, 1], got {ratio}')
    if per_class is not None:
        if protocol != 'balanced':
            raise SplitError('per_class needs the balanced protocol')
        if per_class < 1:
            raise SplitError(f'per_class must be >= 1, got {per_class}')
    if not records:
        raise SplitError('the input annotation list is empty')
    seen = {}
    for record in records:
        if isinstance(record.label, list):
            raise SplitError(f'{record.where}: multi-label annotations '
                             'cannot be split per class')
        if record.label < 0:
            raise SplitError(f'{record.where}: {record.key!r} has no label '
                             f'(label {record.label}); the input of a split '
                             'must be fully labeled')
        if record.key in seen:
            raise SplitError(f'{record.where}: {record.key!r} is listed '
                             f'twice (also at {seen[record.key].where})')
        seen[record.key] = record


def make_split(records: Sequence[AnnRecord],
               ratio: Optional[float] = None,
               per_class: Optional[int] = None,
               seed: int = 0,
               protocol: str = 'balanced',
               num_classes: Optional[int] = None) -> SplitResult:
    """Choose the labeled samples of a fully labeled list.

    Args:
        records (Sequence[AnnRecord]): The training list (see
            :func:`mmssar.datasets.ann_io.read_annotations`).
        ratio (float, optional): Labeled fraction in ``(0, 1]``.
        per_class (int, optional): Labeled samples per class (balanced
            protocol only). Exactly one of ``ratio`` / ``per_class``.
        seed (int): Seed of ``numpy.random.default_rng``. Defaults to 0.
        protocol (str): ``balanced`` (default) or ``random``.
        num_classes (int, optional): When given, every class in
            ``[0, num_classes)`` must have a sample and no label may exceed
            it.

    Returns:
        SplitResult: Labeled / unlabeled indices (input order) and a summary.

    Raises:
        SplitError: The request cannot be met (message says why).
    """
    _check_request(records, ratio, per_class, protocol)
    counts = Counter(r.label for r in records)
    if num_classes is not None:
        too_big = sorted(c for c in counts if c >= num_classes)
        if too_big:
            bad = next(r for r in records if r.label == too_big[0])
            raise SplitError(f'{bad.where}: label {bad.label} is out of '
                             f'range [0, {num_classes})')
        empty = [c for c in range(num_classes) if c not in counts]
        if empty:
            raise SplitError(f'class(es) {empty[:20]} have no sample in the '
                             f'input ({len(empty)} of {num_classes} '
                             'classes empty)')
        classes = list(range(num_classes))
        all_classes = classes
    else:
        classes = sorted(counts)
        # labels are class indices: a class absent from the input still
        # counts (``num_classes`` 10 for labels 0-9 with one class absent)
        all_classes = list(range(max(classes) + 1)) if classes else []
    if per_class is not None:
        smallest = min(classes, key=lambda c: (counts[c], c))
        if per_class > counts[smallest]:
            raise SplitError(f'per_class={per_class} is larger than class '
                             f'{smallest}, which has only '
                             f'{counts[smallest]} sample(s)')

    # Sorting by key makes the draw independent of the input order.
    order = sorted(range(len(records)), key=lambda i: records[i].key)
    rng = np.random.default_rng(seed)
    chosen = set()
    if protocol == 'balanced':
        members = {c: [] for c in classes}
        for i in order:
            members[records[i].label].append(i)
        for c in classes:
            k = per_class if per_class is not None else (
                num_labeled_for_class(len(members[c]), ratio))
            perm = rng.permutation(len(members[c]))
            chosen.update(members[c][j] for j in perm[:k])
    else:
        k = num_labeled_random(len(records), ratio)
        perm = rng.permutation(len(order))
        chosen.update(order[j] for j in perm[:k])

    labeled = [i for i in range(len(records)) if i in chosen]
    unlabeled = [i for i in range(len(records)) if i not in chosen]
    if not unlabeled:
        raise SplitError(f'the unlabeled set would be empty ({len(records)} '
                         'samples, all labeled); lower the ratio / per_class')
    labeled_counts = Counter(records[i].label for i in labeled)
    without = [c for c in all_classes if labeled_counts[c] == 0]
    info = dict(
        protocol=protocol,
        ratio=ratio,
        per_class_k=per_class,
        seed=seed,
        rounding=ROUNDING[protocol],
        num_classes=len(all_classes),
        classes_absent_from_input=[c for c in all_classes if not counts[c]],
        num_samples=len(records),
        num_labeled=len(labeled),
        num_unlabeled=len(unlabeled),
        class_counts=[
            dict(
                label=c,
                total=counts[c],
                labeled=labeled_counts[c],
                unlabeled=counts[c] - labeled_counts[c])
            for c in all_classes
        ],
        classes_without_labels=without)
    return SplitResult(labeled, unlabeled, info)


def file_digest(path: str) -> str:
    """SHA-256 of a file, hex encoded."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _output_ext(path: str) -> str:
    ext = osp.splitext(path)[1]
    return ext if ext else '.txt'


def split_output_paths(ann_file: str, out_prefix: str) -> Dict[str, str]:
    """Paths :func:`write_split` writes for ``ann_file`` and a prefix."""
    ext = _output_ext(ann_file)
    return dict(
        labeled=f'{out_prefix}_labeled{ext}',
        unlabeled=f'{out_prefix}_unlabeled{ext}',
        json=f'{out_prefix}_split.json')


def _write_pose_subset(data, subset: List[AnnRecord],
                       split: Optional[str], name: str, path: str) -> None:
    annos = [r.raw for r in subset]
    if isinstance(data, list):
        out = annos
    else:
        out = {k: v for k, v in data.items()
               if k not in ('split', 'annotations')}
        keys = [r.key for r in subset]
        # Both the generic and the original split name select the subset,
        # so a config can keep ``split='xsub_train'`` or use 'labeled'.
        out['split'] = {name: keys}
        if split is not None:
            out['split'][split] = list(keys)
        out['annotations'] = annos
    with open(path, 'wb') as f:
        pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)


def write_split(ann_file: str,
                records: Sequence[AnnRecord],
                result: SplitResult,
                out_prefix: str,
                split: Optional[str] = None,
                extra_info: Optional[dict] = None) -> Dict[str, str]:
    """Write the labeled / unlabeled files and the JSON summary.

    Text lists are written line by line verbatim (blank lines dropped).
    Pose pickles get the selected annotations and a ``split`` dict with the
    key ``labeled`` (resp. ``unlabeled``) and, when ``split`` is given, the
    original split name too, both listing the subset's ``frame_dir``s. Other
    top-level keys of the input pickle are copied.

    Args:
        ann_file (str): The input annotation file.
        records (Sequence[AnnRecord]): Its records (as passed to
            :func:`make_split`).
        result (SplitResult): The draw.
        out_prefix (str): Output prefix ``PREFIX``; writes
            ``PREFIX_labeled.<ext>``, ``PREFIX_unlabeled.<ext>`` and
            ``PREFIX_split.json``.
        split (str, optional): Split name the pose records were read from.
        extra_info (dict, optional): Merged into the JSON summary.

    Returns:
        dict: The written paths (keys ``labeled``, ``unlabeled``, ``json``).
    """
    paths = split_output_paths(ann_file, out_prefix)
    for path in paths.values():
        if osp.abspath(path) == osp.abspath(ann_file):
            raise SplitError(f'output {path} would overwrite the input')
    out_dir = osp.dirname(osp.abspath(out_prefix))
    os.makedirs(out_dir, exist_ok=True)
    kind = records[0].kind
    data = load_pose_pickle(ann_file) if kind == 'pose' else None
    for name in ('labeled', 'unlabeled'):
        subset = [records[i] for i in getattr(result, name)]
        if kind == 'pose':
            _write_pose_subset(data, subset, split, name,
                               paths[name])
        else:
            with open(paths[name], 'w', encoding='utf-8') as f:
                f.writelines(r.raw + '\n' for r in subset)
    info = dict(
        format_version=SPLIT_FORMAT_VERSION,
        input=dict(
            file=osp.basename(ann_file),
            sha256=file_digest(ann_file),
            size_bytes=osp.getsize(ann_file),
            ann_type=kind,
            split=split),
        **result.info,
        outputs=dict(
            labeled=osp.basename(paths['labeled']),
            unlabeled=osp.basename(paths['unlabeled'])))
    if extra_info:
        info.update(extra_info)
    with open(paths['json'], 'w', encoding='utf-8') as f:
        json.dump(info, f, indent=2, sort_keys=True)
        f.write('\n')
    return paths
