"""Read and validate the annotation files of MMAction2's three dataset types.

MMAction2 itself parses annotation lists with bare ``int()`` / tuple
unpacking, so one bad line surfaces as an ``AssertionError`` or a
``ValueError`` without a file name, often deep inside a data loader worker.
The readers here parse the same formats up front and every error names the
file and the line (text lists) or the annotation index (pose pickles).

Supported formats (see ``docs/data_preparation.md``):

* ``video``: ``VideoDataset`` lists, ``path label`` per line split by
  ``delimiter``; a line with only a path is unlabeled (label ``-1``).
* ``rawframe``: ``RawframeDataset`` lists, ``frame_dir total_frames label``
  (``frame_dir offset total_frames label`` when ``with_offset``); a line
  without a label is unlabeled (label ``-1``).
* ``pose``: ``PoseDataset`` pickles, a dict with ``annotations`` (list of
  dicts with ``frame_dir``, ``label``, ``keypoint`` ...) and an optional
  ``split`` dict ``{name: [frame_dir, ...]}``; a bare list of annotations is
  accepted too, as ``PoseDataset(split=None)`` does.

Blank lines of text lists are skipped (line numbers still count them).
"""
import numbers
import os.path as osp
import pickle
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Union

import numpy as np

ANN_TYPES = ('video', 'rawframe', 'pose')
POSE_SUFFIXES = ('.pkl', '.pickle')
# Keys PoseDataset pipelines cannot do without.
POSE_REQUIRED_KEYS = ('frame_dir', 'label', 'keypoint')
# How many offending entries an error message lists before summarising.
MAX_LISTED = 10

Label = Union[int, List[int]]


@dataclass
class AnnRecord:
    """One sample of an annotation file.

    Attributes:
        key (str): The sample identifier: the video path (``video``), the
            frame directory (``rawframe``) or the ``frame_dir`` (``pose``).
        label (int | list[int]): Class index, ``-1`` when unlabeled, or a
            list of indices for multi-class text lists.
        line (int): 1-based line number in a text list, or the index in the
            ``annotations`` list of a pose pickle.
        raw (str | dict): The line as written (without the newline) or the
            annotation dict itself, so subsets can be written back verbatim.
        source (str): The file the record was read from.
        kind (str): One of ``video``, ``rawframe`` or ``pose``.
    """
    key: str
    label: Label
    line: int
    raw: Any
    source: str = '<memory>'
    kind: str = 'video'

    @property
    def where(self) -> str:
        """Human readable location, e.g. ``train.txt:12``."""
        if self.kind == 'pose':
            return f'{self.source}: annotations[{self.line}]'
        return f'{self.source}:{self.line}'


def guess_ann_type(path: str) -> str:
    """Guess the annotation type of ``path``.

    Pickles are ``pose``. For text lists the first non-blank line decides:
    three or more whitespace separated fields whose second field is an
    integer mean ``rawframe``, anything else ``video``. Pass ``ann_type``
    explicitly for multi-class video lists, which look like rawframe lists.
    """
    if path.lower().endswith(POSE_SUFFIXES):
        return 'pose'
    with open(path, encoding='utf-8') as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            if len(fields) >= 3 and _is_int(fields[1]):
                return 'rawframe'
            return 'video'
    return 'video'


def read_annotations(path: str,
                     ann_type: str = 'auto',
                     delimiter: str = ' ',
                     with_offset: bool = False,
                     multi_class: bool = False,
                     split: Optional[str] = None) -> List[AnnRecord]:
    """Read an annotation file into a list of :class:`AnnRecord`.

    Args:
        path (str): The annotation file.
        ann_type (str): ``video``, ``rawframe``, ``pose`` or ``auto``
            (see :func:`guess_ann_type`). Defaults to ``auto``.
        delimiter (str): Field separator of ``video`` lists, as
            ``VideoDataset(delimiter=...)``. Defaults to a single space.
        with_offset (bool): ``rawframe`` lines carry an offset before
            ``total_frames``, as ``RawframeDataset(with_offset=True)``.
        multi_class (bool): Text lines may carry several labels.
        split (str, optional): For ``pose`` pickles, keep only the
            annotations listed under this split name.

    Returns:
        list[AnnRecord]: The records in file order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: A malformed line / pickle, naming the file and the line,
            key or annotation index.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    if ann_type == 'auto':
        ann_type = guess_ann_type(path)
    if ann_type == 'video':
        return read_video_list(path, delimiter, multi_class)
    if ann_type == 'rawframe':
        return read_rawframe_list(path, with_offset, multi_class)
    if ann_type == 'pose':
        return read_pose_pickle(path, split)
    raise ValueError(f'unknown annotation type {ann_type!r}; '
                     f'expected one of {ANN_TYPES} or "auto"')


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _parse_labels(fields: Sequence[str], where: str,
                  multi_class: bool) -> Label:
    """Turn the label fields of a text line into a label."""
    if not fields:
        return -1
    if len(fields) > 1 and not multi_class:
        raise ValueError(f'{where}: expected one label, got {len(fields)} '
                         f'fields {list(fields)} (multi-class lists need '
                         'multi_class=True)')
    labels = []
    for field in fields:
        if not _is_int(field):
            raise ValueError(f'{where}: label {field!r} is not an integer')
        labels.append(int(field))
    return labels if multi_class else labels[0]


def _text_lines(path: str):
    """Yield ``(line_number, line)`` for the non-blank lines of ``path``."""
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip('\r\n')
            if line.strip():
                yield number, line


def read_video_list(path: str,
                    delimiter: str = ' ',
                    multi_class: bool = False) -> List[AnnRecord]:
    """Read a ``VideoDataset`` list (``path label`` per line)."""
    records = []
    for number, line in _text_lines(path):
        where = f'{path}:{number}'
        fields = line.strip().split(delimiter)
        if not fields[0]:
            raise ValueError(f'{where}: empty video path in {line!r}')
        if not multi_class and len(fields) > 2:
            raise ValueError(
                f'{where}: expected "path{delimiter}label", got '
                f'{len(fields)} fields in {line!r} (is the delimiter '
                f'{delimiter!r} right?)')
        label = _parse_labels(fields[1:], where, multi_class)
        records.append(
            AnnRecord(fields[0], label, number, line, path, 'video'))
    return records


def read_rawframe_list(path: str,
                       with_offset: bool = False,
                       multi_class: bool = False) -> List[AnnRecord]:
    """Read a ``RawframeDataset`` list (``frame_dir total_frames label``)."""
    records = []
    num_counts = 2 if with_offset else 1
    layout = ('frame_dir offset total_frames label'
              if with_offset else 'frame_dir total_frames label')
    for number, line in _text_lines(path):
        where = f'{path}:{number}'
        fields = line.split()
        if len(fields) < 1 + num_counts:
            raise ValueError(f'{where}: expected "{layout}", got '
                             f'{len(fields)} fields in {line!r}')
        for field in fields[1:1 + num_counts]:
            if not _is_int(field):
                raise ValueError(f'{where}: frame count / offset {field!r} '
                                 f'is not an integer (expected "{layout}")')
        label = _parse_labels(fields[1 + num_counts:], where, multi_class)
        records.append(
            AnnRecord(fields[0], label, number, line, path, 'rawframe'))
    return records


def load_pose_pickle(path: str) -> Union[dict, list]:
    """Unpickle a pose annotation file and check its top-level structure.

    Returns:
        dict | list: The loaded object (a dict with ``annotations`` or a
        bare list of annotations).
    """
    try:
        with open(path, 'rb') as f:
            data = pickle.load(f)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, ValueError, TypeError) as exc:
        raise ValueError(f'{path}: not a readable pickle '
                         f'({type(exc).__name__}: {exc})') from exc
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise ValueError(f'{path}: top-level object is a '
                         f'{type(data).__name__}; a PoseDataset pickle is a '
                         'dict with "annotations" (and "split") or a list')
    if 'annotations' not in data:
        raise ValueError(f'{path}: missing key "annotations" (found keys '
                         f'{sorted(map(str, data))})')
    if not isinstance(data['annotations'], list):
        raise ValueError(f'{path}: "annotations" is a '
                         f'{type(data["annotations"]).__name__}, not a list')
    if 'split' in data and not isinstance(data['split'], dict):
        raise ValueError(f'{path}: "split" is a '
                         f'{type(data["split"]).__name__}, not a dict '
                         '{name: [frame_dir, ...]}')
    return data


def read_pose_pickle(path: str,
                     split: Optional[str] = None) -> List[AnnRecord]:
    """Read a ``PoseDataset`` pickle.

    Args:
        path (str): The pickle.
        split (str, optional): Keep only the annotations listed under
            ``data['split'][split]``, in annotation order.

    Returns:
        list[AnnRecord]: One record per (selected) annotation; ``line`` is
        the index in the ``annotations`` list.
    """
    data = load_pose_pickle(path)
    annos = data if isinstance(data, list) else data['annotations']
    records = []
    for idx, anno in enumerate(annos):
        where = f'{path}: annotations[{idx}]'
        if not isinstance(anno, dict):
            raise ValueError(f'{where} is a {type(anno).__name__}, not a '
                             'dict')
        for key in POSE_REQUIRED_KEYS:
            if key not in anno:
                raise ValueError(f'{where} misses key "{key}" (has '
                                 f'{sorted(map(str, anno))})')
        label = anno['label']
        if not _is_label(label):
            raise ValueError(f'{where}: label {label!r} is not an integer')
        check_pose_record(anno, where)
        records.append(
            AnnRecord(
                str(anno['frame_dir']), _as_label(label), idx, anno, path,
                'pose'))
    if split is None:
        return records
    if isinstance(data, list) or 'split' not in data:
        raise ValueError(f'{path}: split {split!r} requested but the pickle '
                         'has no "split" dict')
    if split not in data['split']:
        raise ValueError(f'{path}: unknown split {split!r}; available: '
                         f'{sorted(map(str, data["split"]))}')
    wanted = [str(name) for name in data['split'][split]]
    present = {r.key for r in records}
    missing = [name for name in wanted if name not in present]
    if missing:
        raise ValueError(
            f'{path}: split {split!r} lists {len(missing)} frame_dir(s) '
            f'without an annotation, e.g. {missing[:MAX_LISTED]}')
    wanted = set(wanted)
    return [r for r in records if r.key in wanted]


def check_pose_record(anno: dict, where: str) -> None:
    """Check the keypoint shapes and frame count of one pose annotation.

    Cheap (shapes and keys, no decoding), so every record is checked up
    front instead of failing when the sample is first drawn mid-run.
    """
    shape = np.shape(anno['keypoint'])
    if len(shape) != 4 or shape[-1] not in (2, 3) or 0 in shape:
        raise ValueError(
            f'{where} ({anno["frame_dir"]}): keypoint has shape {shape}; '
            'expected (persons M, frames T, joints V, coordinates C=2|3)')
    if 'total_frames' not in anno:
        raise ValueError(
            f'{where} ({anno["frame_dir"]}) misses key "total_frames" (the '
            f'number of frames, here probably {shape[1]})')
    total = anno['total_frames']
    if not _is_label(total) or isinstance(total, (list, tuple)) \
            or not 1 <= total <= shape[1]:
        raise ValueError(
            f'{where} ({anno["frame_dir"]}): total_frames={total!r} but '
            f'keypoint holds {shape[1]} frames')
    if 'keypoint_score' in anno:
        score = np.shape(anno['keypoint_score'])
        if score != shape[:3]:
            raise ValueError(
                f'{where} ({anno["frame_dir"]}): keypoint_score has shape '
                f'{score}, keypoint {shape} (expected {shape[:3]})')


def _is_label(value) -> bool:
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(_is_label(v) for v in value)
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _as_label(value) -> Label:
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return int(value)


def _labels_of(record: AnnRecord) -> List[int]:
    return record.label if isinstance(record.label, list) else [record.label]


def _source_of(records: Sequence[AnnRecord], source: Optional[str]) -> str:
    if source is not None:
        return source
    return records[0].source if records else '<no records>'


def check_labels(records: Sequence[AnnRecord],
                 num_classes: int,
                 source: Optional[str] = None,
                 allow_unlabeled: bool = False) -> None:
    """Check that every label lies in ``[0, num_classes)``.

    Args:
        records (Sequence[AnnRecord]): Records of one annotation file.
        num_classes (int): Number of classes of the model head.
        source (str, optional): File name for the messages; defaults to the
            records' own ``source``.
        allow_unlabeled (bool): Accept label ``-1`` (path-only lines of an
            unlabeled list). Defaults to False.

    Raises:
        ValueError: The list is empty, or a label is out of range (naming
            the file, the line and the label).
    """
    source = _source_of(records, source)
    if not records:
        raise ValueError(f'{source}: annotation list is empty')
    for record in records:
        for label in _labels_of(record):
            if allow_unlabeled and label == -1:
                continue
            if not 0 <= label < num_classes:
                where = record.where if source == record.source else (
                    f'{source}:{record.line}')
                raise ValueError(
                    f'{where}: label {label} of {record.key!r} is out of '
                    f'range [0, {num_classes}) (num_classes={num_classes})')


def sample_path(record: AnnRecord, data_prefix: Optional[str]) -> str:
    """Where MMAction2 will look for the sample of ``record``.

    ``video`` and ``rawframe`` keys are joined to ``data_prefix``; a pose
    record is a per-sample ``<frame_dir>.pkl`` under ``data_prefix`` (the
    ``PoseDataset(data_prefix=dict(skeleton=...))`` layout).
    """
    path = record.key + ('.pkl' if record.kind == 'pose' else '')
    return osp.join(data_prefix, path) if data_prefix else path


def check_files_exist(records: Sequence[AnnRecord],
                      data_prefix: Optional[str],
                      source: Optional[str] = None) -> None:
    """Check that the video files / frame directories exist.

    Pose records are only checked when ``data_prefix`` is given (their
    keypoints normally live inside the pickle).

    Raises:
        FileNotFoundError: Naming ``file:line`` and the missing path of the
            first :data:`MAX_LISTED` missing samples, and the total count.
    """
    source = _source_of(records, source)
    missing = []
    for record in records:
        if record.kind == 'pose' and not data_prefix:
            continue
        path = sample_path(record, data_prefix)
        exists = osp.isdir(path) if record.kind == 'rawframe' else (
            osp.isfile(path))
        if not exists:
            missing.append(f'{source}:{record.line}: {path}')
    if missing:
        listed = '\n  '.join(missing[:MAX_LISTED])
        more = (f'\n  ... and {len(missing) - MAX_LISTED} more'
                if len(missing) > MAX_LISTED else '')
        what = 'frame directories' if records[0].kind == 'rawframe' else (
            'files')
        raise FileNotFoundError(
            f'{len(missing)} of {len(records)} {what} listed in {source} '
            f'do not exist (data_prefix={data_prefix!r}):\n  {listed}{more}')


def check_disjoint(labeled: Sequence[AnnRecord],
                   unlabeled: Sequence[AnnRecord]) -> None:
    """Check that no sample is both in the labeled and the unlabeled list.

    Raises:
        ValueError: Listing the count and a few overlapping keys with their
            locations in both files.
    """
    unlabeled_at = {}
    for record in unlabeled:
        unlabeled_at.setdefault(record.key, record)
    overlap = [(r, unlabeled_at[r.key]) for r in labeled
               if r.key in unlabeled_at]
    if overlap:
        listed = '\n  '.join(f'{a.key!r} ({a.where} and {b.where})'
                             for a, b in overlap[:5])
        raise ValueError(
            f'{len(overlap)} sample(s) are both labeled and unlabeled, '
            f'e.g.:\n  {listed}')
