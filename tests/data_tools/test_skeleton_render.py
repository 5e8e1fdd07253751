"""The skeleton -> RGB renderer (tools/data/skeleton/render_rgb.py)."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from mmssar.datasets.ann_io import read_annotations
from mmssar.datasets.skeleton_formats import (NWUCLA_CLASSES, convert_jhmdb,
                                              nwucla_label, parse_nwucla_name)
from mmssar.datasets.skeleton_render import (SOURCES, Nuisance,
                                             body_frame_view, load_source,
                                             project_to_image,
                                             render_skeleton_clip,
                                             render_skeleton_dataset)
from mmssar.datasets.splits import make_split
from mmssar.datasets.synthetic_motion import read_video_list
from mmssar.models.utils.graphs import JHMDB_LAYOUT

SMALL = dict(size=32, frames=(8, 12), shots=(1, ), split_seeds=(0, 1),
             limit=3)


def _decode(path):
    import decord
    reader = decord.VideoReader(path)
    return reader.get_batch(list(range(len(reader)))).asnumpy()


@pytest.fixture(scope='module')
def nwucla_small(shared_data, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('rendered') / 'nwucla')
    info = render_skeleton_dataset(
        'nwucla', osp.join(shared_data, 'skeleton', 'nw_ucla'), out, seed=3,
        **SMALL)
    return info


# ----------------------------------------------------------- real data
def test_clips_decode_to_requested_shape(nwucla_small, shared_data):
    src = load_source('nwucla', osp.join(shared_data, 'skeleton', 'nw_ucla'))
    lengths = {n: len(j) for phase in ('train', 'val')
               for n, _, j in src[phase]}
    with open(osp.join(nwucla_small['out_dir'], 'sources.json')) as f:
        sources = json.load(f)
    for phase in ('train', 'val'):
        entries = read_video_list(nwucla_small[f'{phase}_list'])
        for (path, _), name in zip(entries, sources[phase]):
            frames = _decode(osp.join(nwucla_small['out_dir'], path))
            # the source length clipped to the requested range
            expected = int(np.clip(lengths[name], 8, 12))
            assert frames.shape == (expected, 32, 32, 3), (path, name)


def test_nwucla_lists_follow_the_cross_view_split(nwucla_small):
    out = nwucla_small['out_dir']
    with open(osp.join(out, 'sources.json')) as f:
        sources = json.load(f)
    with open(osp.join(out, 'classes.txt')) as f:
        assert f.read().splitlines() == list(NWUCLA_CLASSES)
    with open(osp.join(out, 'meta.json')) as f:
        args = json.load(f)['args']
    assert args['view'] == 'front'  # the 3-D default
    assert args['palette'] == 'parts'
    for phase, views in (('train', {1, 2}), ('val', {3})):
        entries = read_video_list(nwucla_small[f'{phase}_list'])
        assert len(entries) == len(sources[phase]) == 3 * 10
        for (path, label), name in zip(entries, sources[phase]):
            meta = parse_nwucla_name(name)
            assert meta['view'] in views, (phase, name)
            assert label == nwucla_label(meta['action']), (path, name)
            assert name not in path  # file names do not reveal the label


def test_jhmdb_lists_follow_split_1(shared_data, tmp_path):
    root = osp.join(shared_data, 'skeleton', 'jhmdb_gt_pose')
    info = render_skeleton_dataset('jhmdb', root, str(tmp_path / 'j'),
                                   **SMALL)
    ref = convert_jhmdb(root, [1])
    label_of = {a['frame_dir']: a['label'] for a in ref['annotations']}
    assert info['classes'] == ref['label_names']
    with open(osp.join(info['out_dir'], 'sources.json')) as f:
        sources = json.load(f)
    for phase, key in (('train', 'train1'), ('val', 'test1')):
        entries = read_video_list(info[f'{phase}_list'])
        assert set(sources[phase]) <= set(ref['split'][key])
        assert [label_of[n] for n in sources[phase]] == [
            label for _, label in entries]
        assert len(entries) == 3 * len(ref['label_names'])


def test_splits_are_the_split_tools(nwucla_small):
    out = nwucla_small['out_dir']
    records = read_annotations(nwucla_small['train_list'], ann_type='video')
    labeled_sets = []
    for seed in (0, 1):
        prefix = osp.join(out, 'splits', f'train_1shot_seed{seed}')
        labeled = read_video_list(prefix + '_labeled.txt')
        unlabeled = read_video_list(prefix + '_unlabeled.txt')
        expected = make_split(records, per_class=1, seed=seed)
        assert [r.key for r in (records[i] for i in expected.labeled)] == [
            p for p, _ in labeled]
        assert sorted(labeled + unlabeled) == sorted(
            read_video_list(nwucla_small['train_list']))
        assert sorted(label for _, label in labeled) == list(range(10))
        labeled_sets.append({p for p, _ in labeled})
    assert labeled_sets[0] != labeled_sets[1]


def test_render_is_deterministic_under_a_seed(nwucla_small, shared_data,
                                              tmp_path):
    src = osp.join(shared_data, 'skeleton', 'nw_ucla')
    same = render_skeleton_dataset('nwucla', src, str(tmp_path / 'a'),
                                   seed=3, workers=2, **SMALL)
    other = render_skeleton_dataset('nwucla', src, str(tmp_path / 'b'),
                                    seed=4, **SMALL)
    first = read_video_list(nwucla_small['train_list'])[0][0]
    ref = _decode(osp.join(nwucla_small['out_dir'], first))
    for name in ('train.txt', 'val.txt', 'splits/train_1shot_seed0_'
                 'labeled.txt', 'sources.json'):
        text = open(osp.join(nwucla_small['out_dir'], name)).read()
        assert open(osp.join(same['out_dir'], name)).read() == text
        assert open(osp.join(other['out_dir'], name)).read() == text
    np.testing.assert_array_equal(_decode(osp.join(same['out_dir'], first)),
                                  ref)
    assert np.abs(_decode(osp.join(other['out_dir'], first)).astype(int) -
                  ref).mean() > 10


def test_cli_renders_and_reports_errors(project_root, shared_data, tmp_path):
    script = osp.join(project_root, 'tools', 'data', 'skeleton',
                      'render_rgb.py')
    env = dict(__import__('os').environ, PYTHONPATH=project_root)
    out = str(tmp_path / 'cli')
    proc = subprocess.run(
        [sys.executable, script, 'jhmdb',
         osp.join(shared_data, 'skeleton', 'jhmdb_gt_pose'), '--out', out,
         '--limit', '2', '--size', '24', '--frames', '6', '6', '--shots',
         '1', '--split-seeds', '0', '--noise', '0'],
        env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(osp.join(out, 'meta.json')) as f:
        meta = json.load(f)
    assert meta['args']['nuisance']['noise'] == 0
    assert meta['counts']['train'] == 28
    bad = subprocess.run([sys.executable, script, 'nwucla',
                          str(tmp_path / 'absent'), '--out', out],
                         env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert 'absent' in bad.stderr


# ------------------------------------------- nuisance (no real data needed)
# A 2-D stick figure in JHMDB joint order (y down), standing still.
_POSE = np.array([[0, -1], [0, 0], [0, -1.5], [-0.4, -1], [0.4, -1],
                  [-0.2, 0.3], [0.2, 0.3], [-0.6, -0.4], [0.6, -0.4],
                  [-0.2, 1], [0.2, 1], [-0.7, 0.1], [0.7, 0.1], [-0.2, 1.7],
                  [0.2, 1.7]], dtype=np.float32)
STILL = np.repeat(_POSE[None], 10, axis=0)
QUIET = dict(bg_texture=0., jitter=0., noise=0., drift=0.)


def _clip(nuisance, joints=STILL, seed=0, size=64, palette='single'):
    return render_skeleton_clip(joints, JHMDB_LAYOUT, 2, False, size,
                                (len(joints), len(joints)),
                                np.random.default_rng(seed), nuisance,
                                palette)


def _figure_mask(frame, corner=(0, 0)):
    """Pixels that differ from the (flat) background colour at a corner."""
    bg = frame[corner].astype(int)
    return np.abs(frame.astype(int) - bg).sum(-1) > 30


def test_quiet_clip_is_a_still_figure_on_a_flat_background():
    clip = _clip(Nuisance(**QUIET))
    assert clip.shape == (10, 64, 64, 3) and clip.dtype == np.uint8
    assert (clip == clip[:1]).all()  # nothing moves, no noise
    mask = _figure_mask(clip[0])
    assert 50 < mask.sum() < 64 * 64 / 2
    background = clip[0][~mask]
    assert (np.abs(background - clip[0][0, 0]) <= 1).all()


def test_background_colour_and_texture():
    grey = _clip(Nuisance(**dict(QUIET, bg_colour=(200., 200.))))
    assert (np.abs(grey[0][0:3, 0:3].astype(int) - 200) <= 1).all()
    # the same draws scaled: the background's spatial std grows with it
    mask = _figure_mask(_clip(Nuisance(**QUIET))[0])
    stds = [
        _clip(Nuisance(**dict(QUIET, bg_texture=t)))[0][~mask].std(0).mean()
        for t in (0., 20., 40.)
    ]
    assert stds[0] < 0.5 < 2 < stds[1]
    assert 1.7 < stds[2] / stds[1] < 2.3


def test_limb_colour_contrast_and_thickness():
    for seed in range(5):
        clip = _clip(Nuisance(**dict(QUIET, min_contrast=120.)), seed=seed)
        frame = clip[0].astype(float)
        mask = _figure_mask(clip[0])
        fig = np.median(frame[mask], axis=0)
        bg = np.median(frame[~mask], axis=0)
        assert np.abs(fig - bg).mean() >= 100  # anti-aliasing aside
    thin = _figure_mask(_clip(Nuisance(**dict(QUIET, thickness=(1., 1.))))[0])
    thick = _figure_mask(_clip(Nuisance(**dict(QUIET,
                                               thickness=(5., 5.))))[0])
    assert thick.sum() > 2 * thin.sum()


def test_part_palette_keeps_a_limb_in_front_of_the_body_visible():
    # the right arm folded across the belly, in front of the torso
    pose = _POSE.copy()
    pose[7] = [0.3, -0.3]   # R elbow
    pose[11] = [-0.3, 0.0]  # R wrist: across the torso
    still = np.repeat(pose[None], 4, axis=0)
    for palette in ('single', 'parts'):
        for seed in range(3):
            frame = _clip(Nuisance(**QUIET), still, seed, palette=palette)[0]
            mask = _figure_mask(frame)
            colours = np.unique(frame[mask].reshape(-1, 3) // 32, axis=0)
            if palette == 'single':
                # one colour (anti-aliased edges aside): the forearm is lost
                assert len(colours) <= 2, len(colours)
            else:
                assert len(colours) >= 12, len(colours)
    # every bone its own colour, each far enough from the background
    frame = _clip(Nuisance(**dict(QUIET, min_contrast=80.)), palette='parts')
    bg = frame[0][0, 0].astype(float)
    mask = _figure_mask(frame[0])
    far = np.abs(frame[0][mask].astype(float) - bg).mean(-1)
    assert np.median(far) >= 70
    with pytest.raises(ValueError, match='palette'):
        _clip(Nuisance(**QUIET), palette='rainbow')


def test_part_colours_hues_and_contrast():
    from mmssar.datasets.skeleton_render import _part_colours
    grey = np.array([128., 128., 128.])
    colours = _part_colours(0.25, 6, grey, 90.)
    assert colours.shape == (6, 3)
    assert len({tuple(c.round()) for c in colours}) == 6
    # against a yellow background the bright yellow bone turns dark
    yellow = np.array([0., 255., 255.])  # BGR
    dark = _part_colours(1 / 6, 1, yellow, 90.)[0]
    assert np.abs(dark - yellow).mean() >= 90


def _extent(mask):
    ys, xs = np.nonzero(mask)
    return max(ys.max() - ys.min(), xs.max() - xs.min()) + 1


def test_scale_is_the_fraction_of_the_frame_spanned():
    for scale in (0.3, 0.8):
        clip = _clip(Nuisance(**dict(QUIET, scale=(scale, scale),
                                     thickness=(1., 1.))))
        # + the line width and the head blob over the face joint
        assert abs(_extent(_figure_mask(clip[0])) - scale * 64) <= 4


def _centroids(clip):
    return np.array([np.argwhere(_figure_mask(f)).mean(0) for f in clip])


def test_drift_moves_a_still_figure_in_a_straight_line():
    still = _centroids(_clip(Nuisance(**QUIET)))
    assert np.ptp(still, axis=0).max() < 0.5
    moved = _centroids(_clip(Nuisance(**dict(QUIET, drift=0.3)), seed=1))
    path = np.linalg.norm(moved[-1] - moved[0])
    assert 0 < path <= 0.3 * 64 + 2
    # a straight line: every centroid lies on the segment first -> last
    direction = (moved[-1] - moved[0]) / path
    offsets = moved - moved[0]
    off_line = offsets - np.outer(offsets @ direction, direction)
    assert np.abs(off_line).max() < 1.0


def test_camera_jitter_shakes_every_frame():
    shaken = _clip(Nuisance(**dict(QUIET, jitter=2.)), seed=2)
    steps = np.linalg.norm(np.diff(_centroids(shaken), axis=0), axis=1)
    assert (steps > 0.1).mean() > 0.7
    assert steps.mean() < 6


def test_pixel_noise_has_the_stated_std():
    quiet = _clip(Nuisance(**QUIET), seed=5).astype(float)
    noisy = _clip(Nuisance(**dict(QUIET, noise=8.)), seed=5).astype(float)
    mask = _figure_mask(quiet[0].astype(np.uint8))
    diff = (noisy - quiet)[:, ~mask]
    assert abs(diff.std() - 8) < 1
    assert not (noisy[0] == noisy[1]).all()  # fresh noise every frame


def test_motion_is_resampled_over_the_whole_sequence():
    # the figure walks right: 40 source frames -> 12 rendered frames, the
    # first and last rendered frames show the first and last poses
    walk = STILL[:1] + np.linspace(0, 4, 40)[:, None, None] * np.array(
        [1., 0.], dtype=np.float32)
    clip = render_skeleton_clip(walk, JHMDB_LAYOUT, 2, False, 64, (8, 12),
                                np.random.default_rng(0), Nuisance(**QUIET))
    assert len(clip) == 12
    xs = _centroids(clip)[:, 1]
    assert (np.diff(xs) > 0).all()
    short = render_skeleton_clip(walk[:3], JHMDB_LAYOUT, 2, False, 64,
                                 (8, 12), np.random.default_rng(0))
    assert len(short) == 8


def test_projection_of_camera_coordinates():
    # y up in camera coordinates -> higher joints get smaller image y;
    # twice as far -> half the offset
    joints = np.array([[[0.5, 1.0, 2.0], [0.5, 0.0, 2.0], [0.5, 1.0, 4.0]]])
    xy = project_to_image(joints, y_up=True)
    assert xy[0, 0, 1] < xy[0, 1, 1]
    np.testing.assert_allclose(xy[0, 2], xy[0, 0] / 2)
    np.testing.assert_array_equal(
        project_to_image(joints[..., :2], y_up=False), joints[..., :2])


def _rotation(yaw, pitch):
    cy, sy, cp, sp = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch)
    about_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    about_x = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    return about_x @ about_y


def _moving_body(rng, frames=12):
    """A Kinect-v1 body (y up, facing -z: its left shoulder at -x) with
    random limb motion, 3 m in front of the camera."""
    body = rng.normal(0, 0.05, size=(frames, 20, 3))
    body[:, 0] += [0, 0, 0]          # hip centre
    body[:, 2] += [0, 0.5, 0]        # shoulder centre
    body[:, 3] += [0, 0.7, 0]        # head
    body[:, 4] += [-0.2, 0.5, 0]     # left shoulder
    body[:, 8] += [0.2, 0.5, 0]      # right shoulder
    body[:, 12] += [-0.1, 0, 0]      # left hip
    body[:, 16] += [0.1, 0, 0]       # right hip
    return body


def test_front_view_does_not_depend_on_the_camera():
    rng = np.random.default_rng(0)
    spec = SOURCES['nwucla']
    body = _moving_body(rng)
    front = body_frame_view(body, spec['spine'], spec['lateral'])
    # upright and facing: spine up the image, shoulders left -> right
    assert front[:, 2, 1].mean() > front[:, 0, 1].mean() + 0.4
    assert front[:, 8, 0].mean() - front[:, 4, 0].mean() > 0.3
    for yaw, pitch in ((0.9, 0.0), (-1.3, 0.2), (2.5, -0.3)):
        seen = body @ _rotation(yaw, pitch).T + [0.4, -0.2, 3.0]
        np.testing.assert_allclose(
            body_frame_view(seen, spec['spine'], spec['lateral']), front,
            atol=1e-9)
        # the camera's own projection does change with the view
        assert np.abs(project_to_image(seen, True)
                      - project_to_image(body + [0, 0, 3.0], True)).max() > 0.05


def test_front_view_ignores_lost_joints():
    spec = SOURCES['nwucla']
    body = _moving_body(np.random.default_rng(1)) + [0.3, 0.1, 2.5]
    lost = body.copy()
    lost[3, 8] = 0.  # Kinect reports a lost joint as zeros
    lost[5, 16] = 0.
    a = body_frame_view(body, spec['spine'], spec['lateral'])
    b = body_frame_view(lost, spec['spine'], spec['lateral'])
    assert (b[3, 8] == 0).all() and (b[5, 16] == 0).all()
    # the other joints move only by the little the lost ones shifted the
    # mean axes, not by a metre towards the camera's origin
    keep = np.ones(b.shape[:2], bool)
    keep[3, 8] = keep[5, 16] = False
    assert np.abs(a[keep] - b[keep]).max() < 0.05
    with pytest.raises(ValueError, match='3'):
        body_frame_view(body[..., :2], spec['spine'], spec['lateral'])


def test_front_view_is_refused_for_image_coordinates(tmp_path):
    with pytest.raises(ValueError, match="view='camera'"):
        render_skeleton_dataset('jhmdb', str(tmp_path), str(tmp_path / 'o'),
                                view='front')
    with pytest.raises(ValueError, match='view must be'):
        render_skeleton_dataset('nwucla', str(tmp_path),
                                str(tmp_path / 'o'), view='top')


@pytest.mark.parametrize('kwargs, match', [
    (dict(thickness=(0.5, 1.)), 'thickness'),
    (dict(scale=(0.9, 1.)), 'drift'),
    (dict(noise=-1.), 'noise'),
    (dict(bg_colour=(10., 300.)), 'bg_colour'),
])
def test_bad_nuisance_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Nuisance(**kwargs).check()


def test_unknown_source_and_missing_folder(tmp_path):
    with pytest.raises(ValueError, match='unknown skeleton source'):
        load_source('ntu', str(tmp_path))
    with pytest.raises(FileNotFoundError, match='absent'):
        load_source('nwucla', str(tmp_path / 'absent'))
