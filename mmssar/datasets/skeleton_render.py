"""Render real skeleton sequences into small RGB clips: real motion, synthetic
appearance.

A stick figure (bones as thick anti-aliased lines, a blob for the head) moves
as the recorded joints of a real data set; everything else is controlled
nuisance drawn per clip: background colour and texture, limb colour and
thickness, the figure's scale, a slow position drift, per-frame camera
jitter and pixel noise. Labels and the train / val split are the skeleton
data set's, so every RGB method gets a benchmark whose motion is real.

Sources (read with :mod:`mmssar.datasets.skeleton_formats`):

* ``nwucla``: NW-UCLA 3-D joints (camera coordinates, y up); cross-view
  split (train views 1, 2 / val view 3). Seen from the front of the body by
  default (``view='front'``: each sequence turned into its body frame, then
  projected orthographically, so every clip shows the actor from the same
  side whatever the camera); ``view='camera'`` projects the camera
  coordinates through a pinhole camera instead.
* ``jhmdb``: JHMDB ground-truth 2-D joints (image coordinates, y down);
  official split ``n`` (``train{n}`` / ``test{n}``).

The writer produces the layout of :mod:`mmssar.datasets.synthetic_motion`
(MMAction2 ``VideoDataset`` lists with paths relative to ``out_dir``)::

    out_dir/
        videos/train/000000.mp4 ...   # index names, no label in the name
        videos/val/000000.mp4 ...
        train.txt, val.txt             # "videos/train/000000.mp4 3"
        classes.txt                    # one class name a line
        sources.json                   # source clip name of every video
        meta.json                      # renderer version, arguments, counts
        splits/train_{K}shot_seed{S}_{labeled,unlabeled}.txt (+ _split.json)

Output is a pure function of the source data, the arguments and ``seed``:
each clip draws from its own stream seeded by ``(seed, split, index)``.
"""
import colorsys
import glob
import json
import multiprocessing
import os
import os.path as osp
import shutil
from dataclasses import asdict, dataclass
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmssar.utils.skeleton_graphs import JHMDB_LAYOUT, KINECT_V1_LAYOUT
from .ann_io import read_annotations
from .skeleton_formats import NWUCLA_CLASSES, convert_jhmdb, convert_nwucla
from .splits import make_split, write_split
from .synthetic_motion import write_video

__all__ = [
    'RENDERER_VERSION', 'SOURCES', 'VIEWS', 'PALETTES', 'Nuisance',
    'load_source',
    'body_frame_view', 'project_to_image', 'render_skeleton_clip',
    'render_skeleton_dataset', 'read_meta'
]

_RENDERER_ID = 'mmssar.skeleton_render'
#: bump when the pixels of a clip change for the same arguments
RENDERER_VERSION = 1
_SPLIT_IDS = {'train': 0, 'val': 1}
_FPS = 16

# Per source: graph layout, head joint (drawn as a blob), whether y points
# up (3-D camera coordinates), the skeleton split names of train / val, and
# for 3-D sources the joints of the body frame (``body_frame_view``: spine
# from, to; left -> right pairs: shoulders, hips) and the default view.
SOURCES = {
    'nwucla': dict(layout=KINECT_V1_LAYOUT, head=3, y_up=True,
                   train='xview_train', val='xview_val',
                   spine=(0, 2), lateral=((4, 8), (12, 16)), view='front'),
    'jhmdb': dict(layout=JHMDB_LAYOUT, head=2, y_up=False,
                  train='train{split}', val='test{split}', view='camera'),
}
#: ``camera``: the source's own coordinates (3-D: pinhole projection);
#: ``front``: 3-D joints turned into the body's frame (:func:`body_frame_view`)
VIEWS = ('camera', 'front')
#: ``single``: the whole figure in one colour (a silhouette: a limb in front
#: of the body disappears into it); ``parts``: every bone its own hue, hues
#: evenly spaced from a per-clip random offset (:func:`_part_colours`)
PALETTES = ('single', 'parts')


@dataclass
class Nuisance:
    """Appearance nuisance of the rendered clips; ranges are drawn per clip.

    Attributes:
        bg_colour (tuple): Range of the background's base colour, per BGR
            channel (0-255).
        bg_texture (float): Std of the smooth colour blobs and fine grain of
            the static background texture (0 = flat).
        min_contrast (float): Least mean channel difference between the
            figure's colour and the background's mean colour.
        thickness (tuple): Range of the limb thickness, in pixels of a
            64-pixel frame (scaled with the frame size).
        scale (tuple): Range of the fraction of the frame that the clip's
            whole motion envelope (all joints of all frames) spans.
        drift (float): Largest straight-line drift of the figure over the
            clip, as a fraction of the frame (random direction).
        jitter (float): Std of the per-frame camera shake (shift of the
            whole frame), in pixels of a 64-pixel frame.
        noise (float): Std of the per-frame Gaussian pixel noise (0-255).
    """
    bg_colour: Tuple[float, float] = (80., 176.)
    bg_texture: float = 6.
    min_contrast: float = 90.
    thickness: Tuple[float, float] = (2.5, 4.)
    scale: Tuple[float, float] = (0.7, 0.9)
    drift: float = 0.08
    jitter: float = 0.5
    noise: float = 2.

    def check(self) -> None:
        """Refuse impossible values, naming the option."""
        for name in ('bg_colour', 'thickness', 'scale'):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi:
                raise ValueError(f'{name} must be a range 0 <= min <= max, '
                                 f'got {(lo, hi)}')
        if self.bg_colour[1] > 255:
            raise ValueError(f'bg_colour must lie in [0, 255], got '
                             f'{self.bg_colour}')
        if self.thickness[0] < 1:
            raise ValueError(f'thickness must be >= 1 pixel, got '
                             f'{self.thickness}')
        if not (0 < self.scale[0] and self.scale[1] <= 1):
            raise ValueError(f'scale must lie in (0, 1], got {self.scale}')
        for name in ('bg_texture', 'min_contrast', 'drift', 'jitter',
                     'noise'):
            if getattr(self, name) < 0:
                raise ValueError(f'{name} must be >= 0, got '
                                 f'{getattr(self, name)}')
        if self.scale[1] + self.drift > 1:
            raise ValueError(f'scale max + drift must be <= 1 so the figure '
                             f'stays in the frame, got {self.scale[1]} + '
                             f'{self.drift}')


# --------------------------------------------------------------------------
# Source skeletons
# --------------------------------------------------------------------------
def load_source(source: str, src: str, split: int = 1) -> dict:
    """Read a skeleton data set with the project's converters.

    Args:
        source (str): ``nwucla`` or ``jhmdb``.
        src (str): The folder of the data set (NW-UCLA JSON files, or the
            JHMDB ``GT_*.pkl`` files).
        split (int): JHMDB official split (1-3); ignored for NW-UCLA.

    Returns:
        dict: ``classes`` (names), and ``train`` / ``val``: lists of
        ``(name, label, joints)`` with ``joints`` float32 ``(T, V, C)``
        sorted by name (``C`` = 3 for NW-UCLA, 2 for JHMDB).
    """
    if source not in SOURCES:
        raise ValueError(f'unknown skeleton source {source!r}; expected one '
                         f'of {sorted(SOURCES)}')
    if not osp.isdir(src):
        raise FileNotFoundError(f'skeleton data folder not found: {src}')
    if source == 'nwucla':
        paths = sorted(glob.glob(osp.join(src, '*.json')))
        if not paths:
            raise FileNotFoundError(f'no NW-UCLA .json file in {src}')
        data, classes = convert_nwucla(paths), list(NWUCLA_CLASSES)
    else:
        data = convert_jhmdb(src, [split])
        classes = list(data['label_names'])
    by_name = {a['frame_dir']: a for a in data['annotations']}
    out = dict(classes=classes)
    for phase in ('train', 'val'):
        key = SOURCES[source][phase].format(split=split)
        out[phase] = [(n, int(by_name[n]['label']),
                       by_name[n]['keypoint'][0])
                      for n in sorted(data['split'][key])]
    return out


def project_to_image(joints: np.ndarray, y_up: bool) -> np.ndarray:
    """2-D image-plane positions (y down) of joints, shape (T, V, 2).

    3-D joints (camera coordinates, metres) go through a pinhole camera
    (``x / z``, ``y / z``); the focal length does not matter because
    :func:`render_skeleton_clip` fits every clip to the frame. 2-D joints
    pass through. ``y_up`` flips y for coordinates whose y points up.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[-1] not in (2, 3):
        raise ValueError(f'joints must be (T, V, 2) or (T, V, 3), got '
                         f'{joints.shape}')
    if joints.shape[-1] == 3:
        # Kinect reports lost joints as zeros; keep them off the divide.
        z = np.maximum(joints[..., 2:3], 0.1)
        xy = joints[..., :2] / z
    else:
        xy = joints.copy()
    if y_up:
        xy[..., 1] = -xy[..., 1]
    return xy


def body_frame_view(joints: np.ndarray, spine: Tuple[int, int],
                    lateral: Sequence[Tuple[int, int]]) -> np.ndarray:
    """3-D joints seen from the front of the body, orthographically.

    The sequence is expressed in its body frame: up is the mean spine
    direction (``spine[0] -> spine[1]`` over all frames), right the mean of
    the ``lateral`` (left -> right) joint pairs made orthogonal to up,
    forward their cross product; the camera looks along forward. One frame
    for the whole sequence, so the body's own turning is kept; a rotation of
    the camera around the actor changes nothing (the view-invariant
    transform of skeleton recognition, here applied to pixels).

    Args:
        joints (np.ndarray): (T, V, 3), y up.
        spine (tuple[int, int]): Joints from the hips to the shoulders.
        lateral (Sequence[tuple[int, int]]): Left -> right joint pairs.

    Returns:
        np.ndarray: (T, V, 2) positions (x right, y up), centred on the
        mean of the spine's first joint.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[-1] != 3:
        raise ValueError(f'the front view needs (T, V, 3) joints, got '
                         f'{joints.shape}')
    # Kinect reports lost joints as zeros: they would bend the frame
    seen = np.abs(joints).sum(-1) > 0

    def mean_vec(a, b):
        ok = seen[:, a] & seen[:, b]
        if not ok.any():
            return np.zeros(3)
        return (joints[ok, b] - joints[ok, a]).mean(0)

    up = mean_vec(*spine)
    right = sum(mean_vec(a, b) for a, b in lateral)
    right = right - up * (right @ up) / max(up @ up, 1e-12)
    if np.linalg.norm(up) < 1e-9 or np.linalg.norm(right) < 1e-9:
        # no body frame to be had: keep the camera's axes
        up, right = np.array([0., 1., 0.]), np.array([1., 0., 0.])
    up = up / np.linalg.norm(up)
    right = right / np.linalg.norm(right)
    forward = np.cross(right, up)
    rot = np.stack([right, up, forward])  # rows: the new axes
    ok = seen[:, spine[0]]
    centre = joints[ok, spine[0]].mean(0) if ok.any() else np.zeros(3)
    out = (joints - centre) @ rot.T
    out[~seen] = 0.
    return out[..., :2]


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------
def _resample(xy: np.ndarray, num_frames: int) -> np.ndarray:
    """Linear interpolation of (T, V, 2) to ``num_frames`` frames spanning
    the whole sequence."""
    src_t = np.linspace(0, 1, len(xy))
    dst_t = np.linspace(0, 1, num_frames)
    if len(xy) == 1:
        return np.repeat(xy, num_frames, axis=0)
    idx = np.clip(np.searchsorted(src_t, dst_t, side='right') - 1, 0,
                  len(xy) - 2)
    w = ((dst_t - src_t[idx]) / (src_t[idx + 1] - src_t[idx]))[:, None, None]
    return xy[idx] * (1 - w) + xy[idx + 1] * w


def _background(rng: np.random.Generator, size: int,
                nuisance: Nuisance) -> np.ndarray:
    """A static textured background, float32 (H, W, 3)."""
    base = rng.uniform(*nuisance.bg_colour, size=3)
    grid = int(rng.integers(3, 6))
    blobs = rng.normal(0, nuisance.bg_texture, size=(grid, grid, 3))
    bg = base + cv2.resize(blobs.astype(np.float32), (size, size),
                           interpolation=cv2.INTER_CUBIC)
    grain_grid = int(rng.integers(8, 20))
    grain = rng.normal(0, nuisance.bg_texture / 2,
                       size=(grain_grid, grain_grid, 1))
    bg += cv2.resize(grain.astype(np.float32), (size, size),
                     interpolation=cv2.INTER_LINEAR)[..., None]
    return bg.astype(np.float32)


def _figure_colour(rng: np.random.Generator, avoid: np.ndarray,
                   min_contrast: float) -> np.ndarray:
    """A BGR colour at least ``min_contrast`` (mean over channels) away from
    ``avoid``; black or white (the farther) when 100 draws fail."""
    for _ in range(100):
        colour = rng.uniform(0, 255, size=3)
        if np.abs(colour - avoid).mean() >= min_contrast:
            return colour
    return np.full(3, 0. if avoid.mean() > 127.5 else 255.)


def _part_colours(hue0: float, num: int, avoid: np.ndarray,
                  min_contrast: float) -> np.ndarray:
    """``num`` BGR colours at evenly spaced hues from ``hue0``: saturated
    and bright, or dark where bright would not differ from ``avoid`` (the
    background) by ``min_contrast``, whichever differs more."""
    out = []
    for i in range(num):
        hue = (hue0 + i / num) % 1.0
        options = [np.array(colorsys.hsv_to_rgb(hue, 1.0, v))[::-1] * 255
                   for v in (1.0, 0.35)]
        contrast = [np.abs(c - avoid).mean() for c in options]
        out.append(options[0] if contrast[0] >= min_contrast
                   else options[int(np.argmax(contrast))])
    return np.stack(out)


def render_skeleton_clip(joints: np.ndarray,
                         layout: dict,
                         head: int,
                         y_up: bool,
                         size: int,
                         frames: Sequence[int],
                         rng: np.random.Generator,
                         nuisance: Optional[Nuisance] = None,
                         palette: str = 'single') -> np.ndarray:
    """Render one skeleton sequence as an RGB clip.

    The whole sequence is resampled in time to ``clip(T, min, max)`` frames
    (so the recorded speed is kept where it fits the range), and placed so
    that its motion envelope spans ``scale`` of the frame; then the nuisance
    of :class:`Nuisance` is applied.

    Args:
        joints (np.ndarray): (T, V, 3) camera coordinates or (T, V, 2) image
            coordinates.
        layout (dict): Graph layout with ``inward`` bones (pairs of joints).
        head (int): Joint drawn as a blob.
        y_up (bool): Whether the source's y axis points up.
        size (int): Frame height and width in pixels.
        frames (Sequence[int]): Inclusive range (min, max) of frames.
        rng (np.random.Generator): Source of all randomness of the clip.
        nuisance (Nuisance, optional): Defaults to ``Nuisance()``.
        palette (str): One of :data:`PALETTES`. Defaults to ``'single'``.
            Bones are drawn in layout order, the head blob in the colour of
            the first bone that reaches it.

    Returns:
        np.ndarray: BGR frames, uint8, (T', size, size, 3).
    """
    nuisance = nuisance or Nuisance()
    if palette not in PALETTES:
        raise ValueError(f'palette must be one of {PALETTES}, got '
                         f'{palette!r}')
    xy = project_to_image(joints, y_up)
    num_frames = int(np.clip(len(xy), frames[0], frames[1]))
    xy = _resample(xy, num_frames)

    # Fit the motion envelope into ``scale`` of the frame, then place it at
    # random in the room the scale and the drift leave.
    lo, hi = xy.reshape(-1, 2).min(0), xy.reshape(-1, 2).max(0)
    scale = rng.uniform(*nuisance.scale)
    extent = max(float((hi - lo).max()), 1e-6)
    xy = (xy - (lo + hi) / 2) * (scale * size / extent)
    drift_dir = rng.uniform(0, 2 * np.pi)
    drift = rng.uniform(0, nuisance.drift) * size * np.array(
        [np.cos(drift_dir), np.sin(drift_dir)])
    t = np.linspace(-0.5, 0.5, num_frames)[:, None, None]
    xy = xy + drift * t
    room = np.maximum(size - (xy.reshape(-1, 2).max(0) -
                              xy.reshape(-1, 2).min(0)), 0) / 2
    room = np.maximum(room - 1, 0)
    xy = xy + size / 2 + rng.uniform(-room, room)

    unit = size / 64  # nuisance pixel sizes are given for 64-pixel frames
    thickness = max(1, int(round(rng.uniform(*nuisance.thickness) * unit)))
    bg = _background(rng, size, nuisance)
    colour = _figure_colour(rng, bg.mean(axis=(0, 1)),
                            nuisance.min_contrast).tolist()
    bones = np.asarray(layout['inward'])
    jitter = rng.normal(0, nuisance.jitter * unit, size=(num_frames, 2))
    noise_std = nuisance.noise
    if palette == 'parts':  # drawn last: 'single' clips stay as they were
        colours = _part_colours(rng.uniform(), len(bones),
                                bg.mean(axis=(0, 1)),
                                nuisance.min_contrast).tolist()
        head_colour = colours[next(
            (b for b, bone in enumerate(bones) if head in bone), 0)]

    shift = 4  # sub-pixel precision, so slow motion is smooth
    pts = np.round(xy * (1 << shift)).astype(np.int32)
    head_radius = int(round(thickness * 1.6 * (1 << shift)))
    out = np.empty((num_frames, size, size, 3), dtype=np.uint8)
    for i in range(num_frames):
        canvas = bg.copy()
        if palette == 'single':
            # One call for every bone of the frame: (B, 2, 2) point pairs.
            cv2.polylines(canvas, list(pts[i][bones]), False, colour,
                          thickness, cv2.LINE_AA, shift)
            cv2.circle(canvas, tuple(int(v) for v in pts[i, head]),
                       head_radius, colour, -1, cv2.LINE_AA, shift)
        else:
            cv2.circle(canvas, tuple(int(v) for v in pts[i, head]),
                       head_radius, head_colour, -1, cv2.LINE_AA, shift)
            for (a, b), c in zip(bones, colours):
                cv2.line(canvas, tuple(int(v) for v in pts[i, a]),
                         tuple(int(v) for v in pts[i, b]), c, thickness,
                         cv2.LINE_AA, shift)
        if nuisance.jitter > 0:
            shake = np.float32([[1, 0, jitter[i, 0]], [0, 1, jitter[i, 1]]])
            canvas = cv2.warpAffine(canvas, shake, (size, size),
                                    flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REFLECT)
        if noise_std > 0:
            canvas += rng.normal(0, noise_std,
                                 size=canvas.shape).astype(np.float32)
        out[i] = np.clip(canvas, 0, 255).astype(np.uint8)
    return out


# --------------------------------------------------------------------------
# Data set
# --------------------------------------------------------------------------
def _clip_job(job: tuple) -> int:
    """Render and write one clip; top level so worker processes can run
    it. Returns the number of frames."""
    (path, joints, source, split_id, index, seed, size, frames,
     nuisance, view, palette) = job
    spec = SOURCES[source]
    if view == 'front':
        joints = body_frame_view(joints, spec['spine'], spec['lateral'])
    rng = np.random.default_rng([seed, split_id, index])
    clip = render_skeleton_clip(joints, spec['layout'], spec['head'],
                                spec['y_up'], size, frames, rng, nuisance,
                                palette)
    write_video(path, clip, _FPS)
    return len(clip)


def _prepare_out_dir(out_dir: str) -> None:
    """Create ``out_dir``; clear a previous output of this renderer, refuse
    to write into a foreign non-empty folder."""
    if osp.isdir(out_dir) and os.listdir(out_dir):
        try:
            with open(osp.join(out_dir, 'meta.json')) as f:
                ours = json.load(f).get('generator') == _RENDERER_ID
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise FileExistsError(
                f'{out_dir!r} is not empty and holds no meta.json of '
                f'{_RENDERER_ID}; choose an empty or new folder')
        for sub in ('videos', 'splits'):
            shutil.rmtree(osp.join(out_dir, sub), ignore_errors=True)
    for split in _SPLIT_IDS:
        os.makedirs(osp.join(out_dir, 'videos', split), exist_ok=True)


def render_skeleton_dataset(source: str,
                            src: str,
                            out_dir: str,
                            split: int = 1,
                            size: int = 64,
                            frames: Sequence[int] = (16, 32),
                            seed: int = 0,
                            nuisance: Optional[Nuisance] = None,
                            shots: Sequence[int] = (10, ),
                            split_seeds: Sequence[int] = (0, 1, 2),
                            limit: Optional[int] = None,
                            workers: int = 1,
                            view: Optional[str] = None,
                            palette: str = 'parts') -> Dict:
    """Render a skeleton data set into an MMAction2 ``VideoDataset`` tree.

    Args:
        source (str): ``nwucla`` or ``jhmdb`` (see :data:`SOURCES`).
        src (str): Folder of the skeleton data set.
        out_dir (str): Output folder; a previous output of this renderer
            there is replaced.
        split (int): JHMDB official split. Defaults to 1.
        size (int): Frame height and width. Defaults to 64.
        frames (Sequence[int]): Inclusive (min, max) frames per clip.
            Defaults to (16, 32).
        seed (int): Seed of the appearance. Defaults to 0.
        nuisance (Nuisance, optional): Defaults to ``Nuisance()``.
        shots (Sequence[int]): Labels per class of the labeled / unlabeled
            splits (``tools/data/make_split.py`` logic). Defaults to (10, ).
        split_seeds (Sequence[int]): Seeds of those splits.
            Defaults to (0, 1, 2).
        limit (int, optional): Keep only the first ``limit`` clips of each
            class per phase (for tests); None keeps all.
        workers (int): Worker processes; the output does not depend on it.
        view (str, optional): One of :data:`VIEWS`; ``front`` needs a 3-D
            source. Defaults to the source's (``SOURCES[source]['view']``).
        palette (str): One of :data:`PALETTES`. Defaults to ``'parts'``.

    Returns:
        dict: ``out_dir``, ``train_list``, ``val_list``, ``classes``,
        ``num_train``, ``num_val``, ``splits`` (``{(K, seed): paths}``).
    """
    nuisance = nuisance or Nuisance()
    nuisance.check()
    frames = tuple(int(f) for f in frames)
    if len(frames) != 2 or not 2 <= frames[0] <= frames[1]:
        raise ValueError(f'frames must be (min, max) with 2 <= min <= max, '
                         f'got {frames}')
    if size < 16:
        raise ValueError(f'size must be >= 16 pixels, got {size}')
    if workers < 1:
        raise ValueError(f'workers must be >= 1, got {workers}')
    if source not in SOURCES:
        raise ValueError(f'unknown source {source!r}; one of '
                         f'{sorted(SOURCES)}')
    view = view or SOURCES[source]['view']
    if view not in VIEWS:
        raise ValueError(f'view must be one of {VIEWS}, got {view!r}')
    if palette not in PALETTES:
        raise ValueError(f'palette must be one of {PALETTES}, got '
                         f'{palette!r}')
    if view == 'front' and 'spine' not in SOURCES[source]:
        raise ValueError(f'view {view!r} needs 3-D joints; {source} has '
                         "2-D image coordinates: use view='camera'")
    data = load_source(source, src, split)
    if limit is not None:
        for phase in _SPLIT_IDS:
            kept, seen = [], {}
            for item in data[phase]:
                seen[item[1]] = seen.get(item[1], 0) + 1
                if seen[item[1]] <= limit:
                    kept.append(item)
            data[phase] = kept
    _prepare_out_dir(out_dir)

    jobs, lists, names = [], {}, {}
    for phase, split_id in _SPLIT_IDS.items():
        lists[phase], names[phase] = [], []
        for index, (name, label, joints) in enumerate(data[phase]):
            rel = f'videos/{phase}/{index:06d}.mp4'
            lists[phase].append((rel, label))
            names[phase].append(name)
            jobs.append((osp.join(out_dir, rel), joints, source, split_id,
                         index, seed, size, frames, nuisance, view,
                         palette))
    if workers == 1 or len(jobs) < 2:
        counts = [_clip_job(job) for job in jobs]
    else:
        # Spawn, not fork: a process that has decoded videos (decord's
        # threads) deadlocks forked children.
        ctx = multiprocessing.get_context('spawn')
        with ctx.Pool(workers, initializer=cv2.setNumThreads,
                      initargs=(1, )) as pool:
            counts = pool.map(_clip_job, jobs, chunksize=8)

    paths = dict(out_dir=out_dir,
                 train_list=osp.join(out_dir, 'train.txt'),
                 val_list=osp.join(out_dir, 'val.txt'))
    for phase in _SPLIT_IDS:
        with open(paths[f'{phase}_list'], 'w') as f:
            f.writelines(f'{p} {label}\n' for p, label in lists[phase])
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.writelines(f'{name}\n' for name in data['classes'])
    with open(osp.join(out_dir, 'sources.json'), 'w') as f:
        json.dump(names, f, indent=0)
        f.write('\n')

    splits = {}
    records = read_annotations(paths['train_list'], ann_type='video')
    for k in shots:
        for s in split_seeds:
            result = make_split(records, per_class=k, seed=s,
                                num_classes=len(data['classes']))
            splits[(k, s)] = write_split(
                paths['train_list'], records, result,
                osp.join(out_dir, 'splits', f'train_{k}shot_seed{s}'))
    meta = dict(
        generator=_RENDERER_ID,
        version=RENDERER_VERSION,
        source=source,
        args=dict(split=split, view=view, palette=palette, size=size,
                  frames=list(frames),
                  fps=_FPS, limit=limit, shots=list(shots),
                  split_seeds=list(split_seeds), nuisance=asdict(nuisance)),
        seed=seed,
        classes=data['classes'],
        counts=dict(train=len(lists['train']), val=len(lists['val']),
                    total_frames=int(sum(counts))))
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    return dict(paths, classes=data['classes'],
                num_train=len(lists['train']), num_val=len(lists['val']),
                splits=splits)


def read_meta(out_dir: str) -> dict:
    """The ``meta.json`` of a rendered set, or ``{}`` when there is none."""
    try:
        with open(osp.join(out_dir, 'meta.json')) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}

