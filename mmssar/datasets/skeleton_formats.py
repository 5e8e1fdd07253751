"""Convert real skeleton data sets to MMAction2 ``PoseDataset`` pickles.

Every converter returns ``dict(split={name: [frame_dir, ...]},
annotations=[...])`` where an annotation has ``frame_dir`` (str), ``label``
(int), ``total_frames`` (int) and ``keypoint`` (float32, ``(M, T, V, C)``);
2-D sets add ``keypoint_score`` (float32, ``(M, T, V)``).

* NW-UCLA (``aAA_sSS_eEE_vVV.json`` with ``skeletons`` ``[T][20][3]``):
  :func:`convert_nwucla`, graph ``KINECT_V1_LAYOUT`` of
  :mod:`mmssar.models.utils.graphs`.
* JHMDB ground-truth 2-D joints (``GT_{train,test}_{1,2,3}.pkl``):
  :func:`convert_jhmdb`, graph ``JHMDB_LAYOUT``.
* Raw NTU RGB+D ``.skeleton`` files: :func:`read_ntu_skeleton` and
  :func:`convert_ntu`, graph ``'nturgb+d'`` (built into MMAction2).
"""
import json
import os.path as osp
import pickle
import re
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

# --------------------------------------------------------------- NW-UCLA --
NWUCLA_ACTIONS = (1, 2, 3, 4, 5, 6, 8, 9, 11, 12)
NWUCLA_CLASSES = ('pick up with one hand', 'pick up with two hands',
                  'drop trash', 'walk around', 'sit down', 'stand up',
                  'donning', 'doffing', 'throw', 'carry')
NWUCLA_NUM_JOINTS = 20
NWUCLA_XVIEW_TRAIN_VIEWS = (1, 2)
NWUCLA_XVIEW_VAL_VIEWS = (3, )
_NWUCLA_NAME = re.compile(r'^a(\d+)_s(\d+)_e(\d+)_v(\d+)$')


def parse_nwucla_name(name: str) -> Dict[str, int]:
    """Parse ``aAA_sSS_eEE_vVV`` into action, subject, episode and view."""
    match = _NWUCLA_NAME.match(name)
    if match is None:
        raise ValueError(f'{name!r} is not an NW-UCLA clip name '
                         '(aAA_sSS_eEE_vVV)')
    action, subject, episode, view = map(int, match.groups())
    return dict(action=action, subject=subject, episode=episode, view=view)


def nwucla_label(action: int) -> int:
    """Map an NW-UCLA action id (1-12 without 7 and 10) to 0..9."""
    if action not in NWUCLA_ACTIONS:
        raise ValueError(f'unknown NW-UCLA action id a{action:02d}; known: '
                         f'{["a%02d" % a for a in NWUCLA_ACTIONS]}')
    return NWUCLA_ACTIONS.index(action)


def read_nwucla_json(path: str) -> dict:
    """Read one NW-UCLA clip into a PoseDataset annotation.

    The label comes from the ``aAA`` part of the name. A ``label`` field in
    the file, when present, must agree with it (the CTR-GCN release stores
    the class index + 1).

    Returns:
        dict: ``frame_dir``, ``label``, ``total_frames`` and ``keypoint``
        (float32, ``(1, T, 20, 3)``, metres in camera coordinates).
    """
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except json.JSONDecodeError as exc:
        raise ValueError(f'{path}: not valid JSON ({exc})') from exc
    if not isinstance(data, dict) or 'skeletons' not in data:
        raise ValueError(f'{path}: expected a JSON object with "skeletons"')
    name = data.get('file_name') or osp.splitext(osp.basename(path))[0]
    try:
        meta = parse_nwucla_name(name)
        label = nwucla_label(meta['action'])
    except ValueError as exc:
        raise ValueError(f'{path}: {exc}') from exc
    if 'label' in data and data['label'] != label + 1:
        raise ValueError(f'{path}: "label" {data["label"]} disagrees with '
                         f'the action a{meta["action"]:02d} of {name!r} '
                         f'(expected {label + 1} = class index + 1)')
    try:
        joints = np.asarray(data['skeletons'], dtype=np.float32)
    except ValueError as exc:
        raise ValueError(f'{path}: "skeletons" is not a [T][20][3] array '
                         f'({exc})') from exc
    if joints.ndim != 3 or joints.shape[0] == 0 or joints.shape[1:] != (
            NWUCLA_NUM_JOINTS, 3):
        raise ValueError(f'{path}: "skeletons" has shape {joints.shape}, '
                         f'expected (T>0, {NWUCLA_NUM_JOINTS}, 3)')
    return dict(
        frame_dir=name,
        label=label,
        total_frames=int(joints.shape[0]),
        keypoint=joints[None])


def convert_nwucla(json_paths: Iterable[str]) -> dict:
    """Build a PoseDataset dict from NW-UCLA JSON files.

    Splits: ``xview_train`` (views 1 and 2), ``xview_val`` (view 3) and
    ``view1`` / ``view2`` / ``view3``. Annotations are sorted by name.
    """
    annotations = sorted((read_nwucla_json(p) for p in json_paths),
                         key=lambda a: a['frame_dir'])
    if not annotations:
        raise ValueError('no NW-UCLA JSON file given')
    _check_unique(annotations)
    views = {a['frame_dir']: parse_nwucla_name(a['frame_dir'])['view']
             for a in annotations}
    split = {
        'xview_train': [n for n, v in views.items()
                        if v in NWUCLA_XVIEW_TRAIN_VIEWS],
        'xview_val': [n for n, v in views.items()
                      if v in NWUCLA_XVIEW_VAL_VIEWS],
    }
    for view in sorted(set(views.values())):
        split[f'view{view}'] = [n for n, v in views.items() if v == view]
    return dict(split=split, annotations=annotations)


def _check_unique(annotations: Sequence[dict]) -> None:
    seen = set()
    for anno in annotations:
        if anno['frame_dir'] in seen:
            raise ValueError(f'duplicate sample {anno["frame_dir"]!r}')
        seen.add(anno['frame_dir'])


# ----------------------------------------------------------------- JHMDB --
JHMDB_NUM_JOINTS = 15
JHMDB_JOINTS = ('neck', 'belly', 'face', 'right shoulder', 'left shoulder',
                'right hip', 'left hip', 'right elbow', 'left elbow',
                'right knee', 'left knee', 'right wrist', 'left wrist',
                'right ankle', 'left ankle')


def _load_jhmdb_part(path: str) -> dict:
    try:
        with open(path, 'rb') as f:
            data = pickle.load(f)
    except (pickle.UnpicklingError, EOFError, ValueError) as exc:
        raise ValueError(f'{path}: not a readable pickle ({exc})') from exc
    if not isinstance(data, dict) or not {'pose', 'label'} <= set(data):
        raise ValueError(f'{path}: expected a dict with "pose" and "label"')
    if len(data['pose']) != len(data['label']):
        raise ValueError(f'{path}: {len(data["pose"])} poses but '
                         f'{len(data["label"])} labels')
    return data


def convert_jhmdb(root: str, splits: Sequence[int] = (1, 2, 3)) -> dict:
    """Build a PoseDataset dict from JHMDB ``GT_{train,test}_{n}.pkl`` files.

    The source pickles carry no clip names, so samples are named
    ``jhmdb_{train|test}{n}_{index:04d}``; the three official splits are
    three partitions of the same clips, so each appears once per split in
    the annotations. Labels are the sorted class names mapped to 0..C-1
    (stored as ``label_names`` at the top level). ``keypoint`` is float32
    ``(1, T, 15, 2)`` (already centred and scaled in the source, so do not
    use ``PreNormalize2D``); ``keypoint_score`` is all ones.

    Args:
        root (str): Folder with the ``GT_*.pkl`` files.
        splits (Sequence[int]): Official split numbers to convert.

    Returns:
        dict: ``split`` (``train{n}``, ``test{n}``), ``annotations`` and
        ``label_names``.
    """
    parts = {}
    for n in splits:
        for phase in ('train', 'test'):
            path = osp.join(root, f'GT_{phase}_{n}.pkl')
            if not osp.isfile(path):
                raise FileNotFoundError(f'JHMDB pose file not found: {path}')
            parts[(phase, n)] = (path, _load_jhmdb_part(path))
    names = sorted({str(c) for _, d in parts.values() for c in d['label']})
    label_of = {c: i for i, c in enumerate(names)}
    split, annotations = {}, []
    for (phase, n), (path, data) in parts.items():
        keys = []
        for idx, (pose, cls) in enumerate(zip(data['pose'], data['label'])):
            pose = np.asarray(pose, dtype=np.float32)
            if pose.ndim != 3 or pose.shape[0] == 0 or pose.shape[1:] != (
                    JHMDB_NUM_JOINTS, 2):
                raise ValueError(f'{path}: pose[{idx}] has shape '
                                 f'{pose.shape}, expected (T>0, 15, 2)')
            key = f'jhmdb_{phase}{n}_{idx:04d}'
            keys.append(key)
            annotations.append(
                dict(
                    frame_dir=key,
                    label=label_of[str(cls)],
                    total_frames=int(pose.shape[0]),
                    keypoint=pose[None],
                    keypoint_score=np.ones((1, ) + pose.shape[:2],
                                           dtype=np.float32)))
        split[f'{phase}{n}'] = keys
    return dict(split=split, annotations=annotations, label_names=names)


# ------------------------------------------------------------------- NTU --
NTU_NUM_JOINTS = 25
_NTU_NAME = re.compile(r'S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})')
NTU60_XSUB_TRAIN_SUBJECTS = (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25,
                             27, 28, 31, 34, 35, 38)
NTU120_XSUB_TRAIN_SUBJECTS = NTU60_XSUB_TRAIN_SUBJECTS + (
    45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81,
    82, 83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103)
NTU60_XVIEW_TRAIN_CAMERAS = (2, 3)
NTU_BENCHMARKS = {'ntu60': 60, 'ntu120': 120}


def parse_ntu_name(name: str) -> Dict[str, int]:
    """Parse ``SsssCcccPpppRrrrAaaa`` into setup, camera, performer,
    replication and action (all 1-based as in the name)."""
    match = _NTU_NAME.search(osp.basename(name))
    if match is None:
        raise ValueError(f'{name!r} is not an NTU RGB+D sample name '
                         '(SsssCcccPpppRrrrAaaa)')
    keys = ('setup', 'camera', 'performer', 'replication', 'action')
    return dict(zip(keys, map(int, match.groups())))


def ntu_split_names(name: str, benchmark: str = 'ntu60') -> List[str]:
    """Names of the standard splits a sample belongs to.

    NTU-60: ``xsub_{train,val}`` (training subjects) and
    ``xview_{train,val}`` (cameras 2 and 3 train). NTU-120:
    ``xsub_{train,val}`` (53 training subjects) and ``xset_{train,val}``
    (even setup ids train).
    """
    meta = parse_ntu_name(name)
    if benchmark == 'ntu60':
        sub = meta['performer'] in NTU60_XSUB_TRAIN_SUBJECTS
        view = meta['camera'] in NTU60_XVIEW_TRAIN_CAMERAS
        return ['xsub_train' if sub else 'xsub_val',
                'xview_train' if view else 'xview_val']
    if benchmark == 'ntu120':
        sub = meta['performer'] in NTU120_XSUB_TRAIN_SUBJECTS
        cset = meta['setup'] % 2 == 0
        return ['xsub_train' if sub else 'xsub_val',
                'xset_train' if cset else 'xset_val']
    raise ValueError(f'unknown NTU benchmark {benchmark!r}; expected one of '
                     f'{sorted(NTU_BENCHMARKS)}')


class _Lines:
    """Line reader that reports ``file:line`` on malformed input."""

    def __init__(self, path: str):
        self.path = path
        with open(path, encoding='utf-8') as f:
            self.lines = f.read().splitlines()
        self.pos = 0

    def fields(self, what: str, count: Optional[int] = None) -> List[str]:
        if self.pos >= len(self.lines):
            raise ValueError(f'{self.path}:{self.pos + 1}: unexpected end of '
                             f'file, expected {what} (file truncated?)')
        self.pos += 1
        fields = self.lines[self.pos - 1].split()
        if count is not None and len(fields) < count:
            raise ValueError(f'{self.path}:{self.pos}: expected {what} '
                             f'({count} values), got {len(fields)}')
        return fields

    def integer(self, what: str) -> int:
        fields = self.fields(what, 1)
        try:
            return int(fields[0])
        except ValueError:
            raise ValueError(f'{self.path}:{self.pos}: expected {what} (an '
                             f'integer), got {fields[0]!r}') from None

    def floats(self, what: str, count: int) -> List[float]:
        fields = self.fields(what, count)
        try:
            return [float(x) for x in fields[:count]]
        except ValueError:
            raise ValueError(f'{self.path}:{self.pos}: expected {what} '
                             f'(numbers), got {fields[:count]}') from None


def read_ntu_skeleton(path: str, max_bodies: int = 2) -> dict:
    """Parse a raw NTU RGB+D ``.skeleton`` file.

    Bodies are tracked by their id; a body's frames without it stay zero, as
    do frames with no body at all. When more than ``max_bodies`` ids appear
    (Kinect often reports spurious bodies), the ones with the largest joint
    motion (summed per-coordinate standard deviation over the frames they
    are present in) are kept, in order of first appearance.

    Args:
        path (str): The ``.skeleton`` file.
        max_bodies (int): Most bodies to keep. Defaults to 2.

    Returns:
        dict: ``frame_dir`` (name without extension), ``label`` (``A001`` ->
        0), ``total_frames`` (T) and ``keypoint`` (float32, ``(M, T, 25, 3)``,
        metres; ``M`` is 0 when no frame has a body).

    Raises:
        ValueError: Truncated or malformed file, naming the file and line.
    """
    name = osp.splitext(osp.basename(path))[0]
    try:
        label = parse_ntu_name(name)['action'] - 1
    except ValueError as exc:
        raise ValueError(f'{path}: {exc}') from exc
    lines = _Lines(path)
    num_frames = lines.integer('the frame count')
    bodies: Dict[str, np.ndarray] = {}
    present: Dict[str, np.ndarray] = {}
    for t in range(num_frames):
        num_bodies = lines.integer(f'the body count of frame {t + 1}')
        for _ in range(num_bodies):
            body_id = lines.fields(f'the body info line of frame {t + 1}',
                                   1)[0]
            num_joints = lines.integer('the joint count')
            if num_joints != NTU_NUM_JOINTS:
                raise ValueError(f'{path}:{lines.pos}: {num_joints} joints, '
                                 f'expected {NTU_NUM_JOINTS}')
            if body_id not in bodies:
                bodies[body_id] = np.zeros((num_frames, NTU_NUM_JOINTS, 3),
                                           dtype=np.float32)
                present[body_id] = np.zeros(num_frames, dtype=bool)
            for v in range(NTU_NUM_JOINTS):
                bodies[body_id][t, v] = lines.floats(
                    f'joint {v + 1} of frame {t + 1}', 3)
            present[body_id][t] = True
    ids = list(bodies)
    if len(ids) > max_bodies:
        motion = {i: float(bodies[i][present[i]].std(axis=0).sum())
                  for i in ids}
        kept = set(sorted(ids, key=lambda i: -motion[i])[:max_bodies])
        ids = [i for i in ids if i in kept]
    keypoint = (np.stack([bodies[i] for i in ids]) if ids else np.zeros(
        (0, num_frames, NTU_NUM_JOINTS, 3), dtype=np.float32))
    return dict(
        frame_dir=name,
        label=label,
        total_frames=num_frames,
        keypoint=keypoint)


def convert_ntu(skeleton_paths: Iterable[str],
                benchmark: str = 'ntu60',
                max_bodies: int = 2,
                ignore: Iterable[str] = ()) -> dict:
    """Build a PoseDataset dict from raw NTU ``.skeleton`` files.

    Args:
        skeleton_paths (Iterable[str]): The files.
        benchmark (str): ``ntu60`` (splits xsub / xview, actions 1-60) or
            ``ntu120`` (splits xsub / xset, actions 1-120).
        max_bodies (int): See :func:`read_ntu_skeleton`.
        ignore (Iterable[str]): Sample names to leave out (e.g. the official
            list of samples with missing skeletons).

    Returns:
        dict: ``split``, ``annotations`` and ``skipped`` (names of files
        without any body, which PoseDataset pipelines cannot use).
    """
    if benchmark not in NTU_BENCHMARKS:
        raise ValueError(f'unknown NTU benchmark {benchmark!r}; expected one '
                         f'of {sorted(NTU_BENCHMARKS)}')
    ignore = set(ignore)
    split: Dict[str, List[str]] = {
        f'{bench}_{phase}': []
        for bench in (('xsub', 'xview') if benchmark == 'ntu60' else
                      ('xsub', 'xset')) for phase in ('train', 'val')
    }
    annotations, skipped = [], []
    for path in sorted(skeleton_paths, key=osp.basename):
        name = osp.splitext(osp.basename(path))[0]
        if name in ignore:
            continue
        anno = read_ntu_skeleton(path, max_bodies)
        if anno['label'] >= NTU_BENCHMARKS[benchmark]:
            raise ValueError(f'{path}: action A{anno["label"] + 1:03d} is '
                             f'not part of {benchmark}')
        if anno['keypoint'].shape[0] == 0:
            skipped.append(name)
            continue
        annotations.append(anno)
        for split_name in ntu_split_names(name, benchmark):
            split[split_name].append(name)
    if not annotations:
        raise ValueError('no usable NTU .skeleton file given')
    _check_unique(annotations)
    return dict(split=split, annotations=annotations, skipped=skipped)


def dump_pose_pickle(data: dict, path: str) -> None:
    """Write a PoseDataset dict as a pickle."""
    with open(path, 'wb') as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
