"""Synthetic motion videos: the class is defined only by how an object moves.

Every clip shows one *target* object whose trajectory is drawn from its
class (path shape, direction, rotation sense, speed profile) and a
*distractor* object that wanders randomly. Everything that is visible in a
single frame is random nuisance: object shapes, colours, sizes and slow spin,
a textured background with static clutter, per-frame noise and brightness
flicker. The classes come in pairs that are exact time reversals of each
other (e.g. ``accelerate`` vs ``decelerate``, ``circle_cw`` vs
``circle_ccw``), so a model that ignores temporal order cannot separate them.

The generator writes an MMAction2 ``VideoDataset`` tree::

    out_dir/
        videos/train/000000.mp4 ...   # file names carry no label
        videos/val/000000.mp4 ...
        train.txt, val.txt             # "videos/train/000000.mp4 3" per line
        classes.txt                    # one class name per line
        meta.json                      # arguments, seed and counts

List paths are relative to ``out_dir``, so configs use
``data_prefix=dict(video=out_dir)``. Output is a pure function of the
arguments and ``seed``: each clip has its own random stream seeded by
``(seed, split, index)``, so the number of workers does not matter.
"""
import json
import multiprocessing
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

__all__ = [
    'CLASS_NAMES', 'TIME_REVERSED', 'sample_motion_params', 'trajectory',
    'time_reversed', 'render_clip', 'write_video', 'read_video_list',
    'generate_synthetic_motion'
]

# Ordered so that the first N classes always contain whole time-reversal
# pairs (for even N).
CLASS_NAMES = ('circle_cw', 'circle_ccw', 'line_right', 'line_left',
               'line_up', 'line_down', 'accelerate', 'decelerate',
               'spiral_in', 'spiral_out', 'wave_right', 'wave_left')

# Playing a clip of the key class backwards gives a clip of the value class.
TIME_REVERSED = {
    'circle_cw': 'circle_ccw',
    'circle_ccw': 'circle_cw',
    'line_right': 'line_left',
    'line_left': 'line_right',
    'line_up': 'line_down',
    'line_down': 'line_up',
    'accelerate': 'decelerate',
    'decelerate': 'accelerate',
    'spiral_in': 'spiral_out',
    'spiral_out': 'spiral_in',
    'wave_right': 'wave_left',
    'wave_left': 'wave_right',
}

_GENERATOR_ID = 'mmssar.synthetic_motion'
_GENERATOR_VERSION = 3
_SPLIT_IDS = {'train': 0, 'val': 1}
_FPS = 16

# Strength of the appearance nuisance, calibrated with
# ``benchmarks/synthetic_difficulty.py`` (see tools/data/synthetic/README.md):
# the tiny 3D CNN learns the motion from all labels within minutes on a CPU,
# while a few labels per class leave it far below; stronger appearance
# variation let few-label models memorise appearance instead of motion, and
# then no pseudo-label method could start.
NUISANCE = dict(
    bg_base=(90., 166.),  # range of the background's base colour (per channel)
    bg_blob_std=10.,  # std of the smooth colour blobs of the background
    bg_grain_std=(1., 3.),  # range of std of its fine grain texture
    clutter=(0, 0),  # inclusive range of static shapes in the background
    target_radius=(0.12, 0.17),  # fractions of the frame size
    distractor_radius=(0.05, 0.08),
    distractor_speed=(0.1, 0.3),  # frame sizes per clip
    min_contrast=80.,  # mean channel difference object vs background
    noise_std=(1., 3.),  # per-frame Gaussian pixel noise
    flicker_std=2.,  # per-frame global brightness change
)


def _check_name(name: str) -> None:
    if name not in CLASS_NAMES:
        raise KeyError(f'unknown motion class {name!r}; '
                       f'expected one of {CLASS_NAMES}')


# --------------------------------------------------------------------------
# Motion: parameters and trajectories (coordinates normalised to [0, 1],
# x to the right, y downwards as in images)
# --------------------------------------------------------------------------
def sample_motion_params(name: str, rng: np.random.Generator) -> dict:
    """Draw the random parameters of one trajectory of class ``name``.

    Args:
        name (str): A class of :data:`CLASS_NAMES`.
        rng (np.random.Generator): Source of randomness.

    Returns:
        dict: Parameters for :func:`trajectory` (floats and float lists).
    """
    _check_name(name)
    u = rng.uniform
    if name in ('circle_cw', 'circle_ccw'):
        # Less than a full turn so the start and end do not coincide; the
        # sense is the only difference between the two classes.
        turns = u(0.55, 0.95)
        return dict(
            center=[u(0.42, 0.58), u(0.42, 0.58)],
            radius=u(0.22, 0.32),
            phase=u(0, 2 * np.pi),
            turns=turns if name == 'circle_cw' else -turns)
    if name.startswith('line_'):
        # Same speed range for all four directions: direction is the class.
        axis = np.array({
            'line_right': [1, 0],
            'line_left': [-1, 0],
            'line_down': [0, 1],
            'line_up': [0, -1]
        }[name], dtype=float)
        perp = axis[::-1].copy()
        length = u(0.5, 0.7)
        mid = np.array([u(0.45, 0.55), u(0.45, 0.55)]) + perp * u(-0.15, 0.15)
        drift = perp * u(-0.08, 0.08)
        start = mid - axis * length / 2 - drift / 2
        end = mid + axis * length / 2 + drift / 2
        return dict(start=start.tolist(), end=end.tolist(), power=1.0)
    if name in ('accelerate', 'decelerate'):
        # Along one of the four diagonals, so the direction never matches a
        # line class; within the pair only the speed profile differs.
        angle = np.pi / 4 + np.pi / 2 * rng.integers(4) + u(-0.25, 0.25)
        axis = np.array([np.cos(angle), np.sin(angle)])
        length = u(0.6, 0.8)
        mid = np.array([u(0.45, 0.55), u(0.45, 0.55)])
        return dict(
            start=(mid - axis * length / 2).tolist(),
            end=(mid + axis * length / 2).tolist(),
            power=u(2.2, 3.0))
    if name in ('spiral_in', 'spiral_out'):
        outer, inner = u(0.28, 0.34), u(0.03, 0.07)
        turns = u(0.9, 1.4) * (1 if rng.random() < 0.5 else -1)
        r0, r1 = (outer, inner) if name == 'spiral_in' else (inner, outer)
        return dict(
            center=[u(0.46, 0.54), u(0.46, 0.54)],
            radius_start=r0,
            radius_end=r1,
            phase=u(0, 2 * np.pi),
            turns=turns)
    # wave_right / wave_left: a horizontal sweep with a vertical sine.
    sign = 1.0 if name == 'wave_right' else -1.0
    length = u(0.55, 0.7)
    xm, ym = u(0.45, 0.55), u(0.4, 0.6)
    return dict(
        x_start=xm - sign * length / 2,
        x_end=xm + sign * length / 2,
        y_center=ym,
        amplitude=u(0.08, 0.15),
        cycles=u(1.2, 2.0),
        phase=u(0, 2 * np.pi))


def trajectory(name: str, t: np.ndarray, params: dict) -> np.ndarray:
    """Positions of the target object of class ``name`` at times ``t``.

    Args:
        name (str): A class of :data:`CLASS_NAMES`.
        t (np.ndarray): Times in ``[0, 1]``, shape (T, ).
        params (dict): From :func:`sample_motion_params` or
            :func:`time_reversed`.

    Returns:
        np.ndarray: Positions ``(x, y)`` in ``[0, 1]``, shape (T, 2).
    """
    _check_name(name)
    t = np.asarray(t, dtype=np.float64)
    if name in ('circle_cw', 'circle_ccw'):
        # With y pointing down, a growing angle turns clockwise on screen.
        theta = params['phase'] + 2 * np.pi * params['turns'] * t
        r = params['radius']
        return np.stack([params['center'][0] + r * np.cos(theta),
                         params['center'][1] + r * np.sin(theta)], axis=1)
    if name.startswith('line_') or name in ('accelerate', 'decelerate'):
        # ``accelerate`` covers s = t^p of the path, ``decelerate``
        # s = 1 - (1 - t)^p: mirror images in time.
        p = params['power']
        s = 1 - (1 - t)**p if name == 'decelerate' else t**p
        start, end = np.asarray(params['start']), np.asarray(params['end'])
        return start[None] + s[:, None] * (end - start)[None]
    if name in ('spiral_in', 'spiral_out'):
        r = params['radius_start'] + (params['radius_end'] -
                                      params['radius_start']) * t
        theta = params['phase'] + 2 * np.pi * params['turns'] * t
        return np.stack([params['center'][0] + r * np.cos(theta),
                         params['center'][1] + r * np.sin(theta)], axis=1)
    x = params['x_start'] + (params['x_end'] - params['x_start']) * t
    y = params['y_center'] + params['amplitude'] * np.sin(
        2 * np.pi * params['cycles'] * t + params['phase'])
    return np.stack([x, y], axis=1)


def time_reversed(name: str, params: dict) -> Tuple[str, dict]:
    """The class and parameters of the same motion played backwards.

    ``trajectory(name, 1 - t, params)`` equals ``trajectory(*time_reversed(
    name, params)...)`` evaluated at ``t``, and the returned parameters lie in
    the returned class's sampling range. This is what makes the classes
    separable only through temporal order.

    Args:
        name (str): A class of :data:`CLASS_NAMES`.
        params (dict): Parameters of a trajectory of class ``name``.

    Returns:
        tuple[str, dict]: The reversed class and its parameters.
    """
    _check_name(name)
    p = dict(params)
    if name in ('circle_cw', 'circle_ccw', 'spiral_in', 'spiral_out'):
        p['phase'] = params['phase'] + 2 * np.pi * params['turns']
        p['turns'] = -params['turns']
        if 'radius_start' in params:
            p['radius_start'] = params['radius_end']
            p['radius_end'] = params['radius_start']
    elif name in ('wave_right', 'wave_left'):
        p['x_start'], p['x_end'] = params['x_end'], params['x_start']
        # sin(2*pi*c*(1 - t) + phi) = sin(2*pi*c*t + pi - 2*pi*c - phi)
        p['phase'] = np.pi - 2 * np.pi * params['cycles'] - params['phase']
    else:
        p['start'], p['end'] = params['end'], params['start']
    return TIME_REVERSED[name], p


# --------------------------------------------------------------------------
# Appearance: everything here is nuisance, drawn independently of the class
# --------------------------------------------------------------------------
_SHAPE_VERTICES = {
    'circle': 20,
    'triangle': 3,
    'square': 4,
    'pentagon': 5,
    'hexagon': 6,
    'star': -5,  # negative: a star with that many points
    'ellipse': -2,  # marker for a 2:1 ellipse
}


def _shape_polygon(shape: str) -> np.ndarray:
    """Unit-radius outline of ``shape``, shape (N, 2)."""
    k = _SHAPE_VERTICES[shape]
    if k == -2:
        a = np.linspace(0, 2 * np.pi, 20, endpoint=False)
        return np.stack([np.cos(a), 0.5 * np.sin(a)], axis=1)
    if k < 0:
        a = np.linspace(0, 2 * np.pi, -2 * k, endpoint=False)
        r = np.where(np.arange(-2 * k) % 2 == 0, 1.0, 0.45)
        return np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
    a = np.linspace(0, 2 * np.pi, k, endpoint=False)
    return np.stack([np.cos(a), np.sin(a)], axis=1)


def _random_colour(rng: np.random.Generator, avoid: np.ndarray,
                   min_diff: float) -> np.ndarray:
    """A BGR colour whose mean channel difference to ``avoid`` is at least
    ``min_diff``, so objects stay visible on the background."""
    for _ in range(100):
        colour = rng.uniform(0, 255, size=3)
        if np.abs(colour - avoid).mean() >= min_diff:
            return colour
    return np.where(avoid < 128, 255., 0.)


def _random_object(rng: np.random.Generator, size: int, bg_mean: np.ndarray,
                   radius_range: Tuple[float, float]) -> dict:
    return dict(
        polygon=_shape_polygon(rng.choice(list(_SHAPE_VERTICES))),
        radius=rng.uniform(*radius_range) * size,
        angle=rng.uniform(0, 2 * np.pi),
        spin=rng.uniform(-np.pi, np.pi),  # radians over the clip
        colour=_random_colour(rng, bg_mean, NUISANCE['min_contrast']))


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A static textured background, float32 (H, W, 3)."""
    # A random base colour with smooth colour blobs and a finer grain.
    base = rng.uniform(*NUISANCE['bg_base'], size=3)
    coarse = base + rng.normal(
        0, NUISANCE['bg_blob_std'], size=(rng.integers(3, 6), ) * 2 + (3, ))
    bg = cv2.resize(coarse.astype(np.float32), (size, size),
                    interpolation=cv2.INTER_CUBIC)
    grid = int(rng.integers(6, 16))
    fine = rng.normal(0, rng.uniform(*NUISANCE['bg_grain_std']),
                      size=(grid, grid, 1))
    bg += cv2.resize(fine.astype(np.float32), (size, size),
                     interpolation=cv2.INTER_LINEAR)[..., None]
    # Optional static shapes, so the target is not the only shape in view.
    lo, hi = NUISANCE['clutter']
    for _ in range(int(rng.integers(lo, hi + 1))):
        obj = _random_object(rng, size, base, NUISANCE['distractor_radius'])
        _draw(bg, obj, rng.uniform(0.1, 0.9, size=2) * size, 0.)
    return bg


def _draw(canvas: np.ndarray, obj: dict, center: np.ndarray,
          extra_angle: float) -> None:
    """Fill ``obj`` into ``canvas`` in place, anti-aliased and sub-pixel."""
    a = obj['angle'] + extra_angle
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    pts = obj['polygon'] @ rot.T * obj['radius'] + center[None]
    shift = 4  # 1/16 pixel precision, so slow motion is smooth
    pts = np.round(pts * (1 << shift)).astype(np.int32)
    cv2.fillPoly(canvas, [pts], obj['colour'].tolist(), cv2.LINE_AA, shift)


def _random_walk(rng: np.random.Generator, num_frames: int) -> np.ndarray:
    """A smooth random path in [0.1, 0.9]^2 that bounces off the borders,
    shape (T, 2): changing direction at random, it has no class structure."""
    pos = rng.uniform(0.15, 0.85, size=2)
    vel = rng.normal(0, 1, size=2)
    max_speed = rng.uniform(*NUISANCE['distractor_speed'])  # per clip
    vel *= max_speed / np.linalg.norm(vel)
    out = np.empty((num_frames, 2))
    dt = 1.0 / max(num_frames - 1, 1)
    for i in range(num_frames):
        out[i] = pos
        vel += rng.normal(0, 3 * max_speed, size=2) * np.sqrt(dt)
        speed = np.linalg.norm(vel)
        if speed > max_speed:
            vel *= max_speed / speed
        pos = pos + vel * dt
        for d in range(2):
            if not 0.1 <= pos[d] <= 0.9:
                vel[d] = -vel[d]
                pos[d] = np.clip(pos[d], 0.1, 0.9)
    return out


def render_clip(name: str,
                num_frames: int,
                size: int,
                rng: np.random.Generator,
                params: Optional[dict] = None) -> np.ndarray:
    """Render one clip of class ``name``.

    Args:
        name (str): A class of :data:`CLASS_NAMES`.
        num_frames (int): Number of frames T.
        size (int): Height and width in pixels.
        rng (np.random.Generator): Source of all randomness of the clip.
        params (dict, optional): Trajectory parameters; drawn from ``rng``
            when None.

    Returns:
        np.ndarray: BGR frames, uint8, shape (T, size, size, 3).
    """
    if params is None:
        params = sample_motion_params(name, rng)
    t = np.linspace(0, 1, num_frames)
    target_xy = trajectory(name, t, params) * size
    bg = _background(rng, size)
    bg_mean = bg.mean(axis=(0, 1))
    target = _random_object(rng, size, bg_mean, NUISANCE['target_radius'])
    distractor = _random_object(rng, size, bg_mean,
                                NUISANCE['distractor_radius'])
    distractor_xy = _random_walk(rng, num_frames) * size
    # Half of the clips draw the distractor on top, so depth order is no cue.
    distractor_on_top = rng.random() < 0.5
    noise_std = rng.uniform(*NUISANCE['noise_std'])
    flicker = rng.normal(0, NUISANCE['flicker_std'], size=num_frames)
    frames = np.empty((num_frames, size, size, 3), dtype=np.uint8)
    for i in range(num_frames):
        canvas = bg.copy()
        order = [(target, target_xy), (distractor, distractor_xy)]
        if distractor_on_top is False:
            order.reverse()
        for obj, xy in order:
            _draw(canvas, obj, xy[i], obj['spin'] * t[i])
        canvas += flicker[i] + rng.normal(
            0, noise_std, size=canvas.shape).astype(np.float32)
        frames[i] = np.clip(canvas, 0, 255).astype(np.uint8)
    return frames


def write_video(path: str, frames: np.ndarray, fps: int = _FPS) -> None:
    """Write BGR frames (T, H, W, 3) as an MPEG-4 Part 2 ('mp4v') file.

    Raises:
        RuntimeError: If OpenCV cannot open a writer for ``path``.
    """
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'cv2.VideoWriter cannot write {path!r} '
                           '(OpenCV built without FFmpeg?)')
    for frame in frames:
        writer.write(frame)
    writer.release()


# --------------------------------------------------------------------------
# Data set generation
# --------------------------------------------------------------------------
def _clip_job(job: tuple) -> Tuple[str, int, int]:
    """Render and write one clip; top level so worker processes can run
    it."""
    (out_dir, rel_path, label, split_id, index, seed, size, frames,
     class_names) = job
    rng = np.random.default_rng([seed, split_id, index])
    num_frames = int(rng.integers(frames[0], frames[1] + 1))
    clip = render_clip(class_names[label], num_frames, size, rng)
    write_video(osp.join(out_dir, rel_path), clip)
    return rel_path, label, num_frames


def read_video_list(path: str) -> List[Tuple[str, int]]:
    """Parse a ``VideoDataset`` list (``relative/path.mp4 label`` lines).

    Raises:
        ValueError: Naming the file and line of a malformed entry.
    """
    entries = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise ValueError(f'{path}:{lineno}: expected "path label", '
                                 f'got {line.rstrip()!r}')
            entries.append((parts[0], int(parts[1])))
    return entries


def _prepare_out_dir(out_dir: str) -> None:
    """Create ``out_dir``; clear a previous output of this generator, refuse
    to write into a foreign non-empty folder."""
    if osp.isdir(out_dir) and os.listdir(out_dir):
        meta_path = osp.join(out_dir, 'meta.json')
        try:
            with open(meta_path) as f:
                ours = json.load(f).get('generator') == _GENERATOR_ID
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise FileExistsError(
                f'{out_dir!r} is not empty and holds no meta.json of '
                f'{_GENERATOR_ID}; choose an empty or new folder')
        shutil.rmtree(osp.join(out_dir, 'videos'), ignore_errors=True)
    for split in _SPLIT_IDS:
        os.makedirs(osp.join(out_dir, 'videos', split), exist_ok=True)


def generate_synthetic_motion(out_dir: str,
                              num_classes: int = 10,
                              num_train_per_class: int = 200,
                              num_val_per_class: int = 20,
                              size: int = 64,
                              frames: Sequence[int] = (16, 32),
                              seed: int = 0,
                              workers: int = 1) -> Dict:
    """Write a synthetic motion data set in MMAction2 ``VideoDataset`` form.

    Args:
        out_dir (str): Output folder; created if missing. A previous output
            of this generator there is replaced.
        num_classes (int): Number of classes, the first ones of
            :data:`CLASS_NAMES` (2 to 12). Defaults to 10.
        num_train_per_class (int): Training clips per class. Defaults to 200.
        num_val_per_class (int): Validation clips per class. Defaults to 20.
        size (int): Frame height and width in pixels. Defaults to 64.
        frames (Sequence[int]): Inclusive range ``(min, max)`` of the number
            of frames per clip. Defaults to (16, 32).
        seed (int): Seed of everything. Defaults to 0.
        workers (int): Worker processes; the output does not depend on it.
            Defaults to 1 (in-process).

    Returns:
        dict: ``out_dir``, ``train_list``, ``val_list``, ``classes_file``,
        ``meta_file``, ``classes`` (list of names), ``num_train``,
        ``num_val``.
    """
    if not 2 <= num_classes <= len(CLASS_NAMES):
        raise ValueError(f'num_classes must be in [2, {len(CLASS_NAMES)}], '
                         f'got {num_classes}')
    if num_train_per_class < 0 or num_val_per_class < 0:
        raise ValueError('clips per class must be >= 0, got '
                         f'{num_train_per_class}, {num_val_per_class}')
    frames = tuple(int(f) for f in frames)
    if len(frames) != 2 or not 2 <= frames[0] <= frames[1]:
        raise ValueError(f'frames must be (min, max) with 2 <= min <= max, '
                         f'got {frames}')
    if size < 16:
        raise ValueError(f'size must be >= 16 pixels, got {size}')
    if workers < 1:
        raise ValueError(f'workers must be >= 1, got {workers}')

    classes = list(CLASS_NAMES[:num_classes])
    _prepare_out_dir(out_dir)
    jobs, lists = [], {}
    for split, per_class in (('train', num_train_per_class),
                             ('val', num_val_per_class)):
        split_id = _SPLIT_IDS[split]
        # Shuffle which index holds which class, so the file name reveals
        # nothing about the label.
        labels = np.repeat(np.arange(num_classes), per_class)
        labels = np.random.default_rng([seed, split_id, 2**31]).permutation(
            labels)
        lists[split] = []
        for index, label in enumerate(labels.tolist()):
            rel_path = f'videos/{split}/{index:06d}.mp4'
            lists[split].append((rel_path, label))
            jobs.append((out_dir, rel_path, label, split_id, index, seed,
                         size, frames, classes))

    if workers == 1 or len(jobs) < 2:
        results = [_clip_job(job) for job in jobs]
    else:
        # Spawn, not fork: a process that has decoded videos (decord's
        # threads) deadlocks forked children — e.g. the test session, or a
        # benchmark that regenerates data after a validation.
        ctx = multiprocessing.get_context('spawn')
        with ctx.Pool(workers, initializer=cv2.setNumThreads,
                      initargs=(1, )) as pool:
            results = pool.map(_clip_job, jobs, chunksize=8)

    paths = dict(
        out_dir=out_dir,
        train_list=osp.join(out_dir, 'train.txt'),
        val_list=osp.join(out_dir, 'val.txt'),
        classes_file=osp.join(out_dir, 'classes.txt'),
        meta_file=osp.join(out_dir, 'meta.json'))
    for split in _SPLIT_IDS:
        with open(paths[f'{split}_list'], 'w') as f:
            f.writelines(f'{p} {label}\n' for p, label in lists[split])
    with open(paths['classes_file'], 'w') as f:
        f.writelines(f'{name}\n' for name in classes)
    frame_counts = [n for _, _, n in results]
    meta = dict(
        generator=_GENERATOR_ID,
        version=_GENERATOR_VERSION,
        args=dict(
            num_classes=num_classes,
            num_train_per_class=num_train_per_class,
            num_val_per_class=num_val_per_class,
            size=size,
            frames=list(frames),
            fps=_FPS),
        seed=seed,
        classes=classes,
        counts=dict(
            train=len(lists['train']),
            val=len(lists['val']),
            total_frames=int(sum(frame_counts))))
    with open(paths['meta_file'], 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    return dict(
        paths,
        classes=classes,
        num_train=len(lists['train']),
        num_val=len(lists['val']))
