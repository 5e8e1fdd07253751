"""Tests of the synthetic motion data set generator and its CLI."""
import json
import os
import os.path as osp
import subprocess
import sys
from collections import Counter

import decord
import numpy as np
import pytest

from mmssar.datasets.synthetic_motion import (CLASS_NAMES, TIME_REVERSED,
                                              generate_synthetic_motion,
                                              read_video_list, render_clip,
                                              sample_motion_params,
                                              time_reversed, trajectory)

SMALL = dict(num_classes=4, num_train_per_class=2, num_val_per_class=1,
             size=32, frames=(8, 12))


def _decode_all(root, list_file):
    return [
        decord.VideoReader(osp.join(root, path)).get_batch(
            list(range(len(decord.VideoReader(osp.join(root, path)))))
        ).asnumpy() for path, _ in read_video_list(list_file)
    ]


@pytest.fixture(scope='module')
def small_set(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('synthetic') / 'a')
    return generate_synthetic_motion(out, seed=3, **SMALL)


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def test_layout_balance_and_labels(small_set):
    root = small_set['out_dir']
    for split, per_class in (('train', 2), ('val', 1)):
        entries = read_video_list(small_set[f'{split}_list'])
        labels = [label for _, label in entries]
        assert Counter(labels) == {c: per_class for c in range(4)}
        for path, _ in entries:
            assert path.startswith(f'videos/{split}/')
            assert osp.isfile(osp.join(root, path))
    with open(small_set['classes_file']) as f:
        assert f.read().split() == list(CLASS_NAMES[:4])
    with open(small_set['meta_file']) as f:
        meta = json.load(f)
    assert meta['seed'] == 3
    assert meta['counts']['train'] == small_set['num_train'] == 8
    assert meta['counts']['val'] == small_set['num_val'] == 4
    assert meta['args']['frames'] == [8, 12]


def test_every_clip_decodes_with_expected_shape(small_set):
    root = small_set['out_dir']
    lengths = []
    for split in ('train', 'val'):
        for clip in _decode_all(root, small_set[f'{split}_list']):
            assert clip.shape[1:] == (32, 32, 3)
            assert 8 <= clip.shape[0] <= 12
            lengths.append(clip.shape[0])
    assert len(set(lengths)) > 1  # the length is drawn per clip


def test_decoded_frames_match_rendered_frames(small_set):
    """The mp4 holds the rendered clip up to codec loss (right frame count
    and order, BGR handled)."""
    root = small_set['out_dir']
    path, label = read_video_list(small_set['train_list'])[0]
    rng = np.random.default_rng([3, 0, 0])  # seed, split 'train', index 0
    num_frames = int(rng.integers(8, 13))
    rendered = render_clip(CLASS_NAMES[label], num_frames, 32, rng)
    decoded = decord.VideoReader(osp.join(root, path)).get_batch(
        list(range(num_frames))).asnumpy()
    err = np.abs(decoded.astype(float) - rendered[..., ::-1]).mean()
    assert err < 12, err
    # A different clip is much farther away.
    other = np.roll(rendered, 1, axis=0)[..., ::-1]
    assert np.abs(decoded.astype(float) - other).mean() > err


def test_determinism(small_set, tmp_path):
    again = generate_synthetic_motion(
        str(tmp_path / 'b'), seed=3, workers=2, **SMALL)
    other = generate_synthetic_motion(str(tmp_path / 'c'), seed=4, **SMALL)
    for key in ('train_list', 'val_list', 'classes_file', 'meta_file'):
        assert _read(small_set[key]) == _read(again[key])
    for split in ('train', 'val'):
        a = _decode_all(small_set['out_dir'], small_set[f'{split}_list'])
        b = _decode_all(again['out_dir'], again[f'{split}_list'])
        c = _decode_all(other['out_dir'], other[f'{split}_list'])
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
        assert not all(
            x.shape == y.shape and np.array_equal(x, y)
            for x, y in zip(a, c))
    assert _read(small_set['train_list']) != _read(other['train_list'])


def test_regenerate_replaces_own_output_but_not_foreign(tmp_path):
    out = tmp_path / 'd'
    generate_synthetic_motion(str(out), seed=0, **SMALL)
    small = dict(SMALL, num_train_per_class=1)
    info = generate_synthetic_motion(str(out), seed=0, **small)
    assert len(os.listdir(out / 'videos' / 'train')) == info['num_train'] == 4
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'keep.txt').write_text('x')
    with pytest.raises(FileExistsError, match='foreign'):
        generate_synthetic_motion(str(foreign), **SMALL)


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_classes=1), 'num_classes'),
    (dict(num_classes=len(CLASS_NAMES) + 1), 'num_classes'),
    (dict(frames=(9, 8)), 'frames'),
    (dict(size=8), 'size'),
])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_synthetic_motion(str(tmp_path / 'e'), **dict(SMALL, **kwargs))


def test_read_video_list_names_bad_line(tmp_path):
    bad = tmp_path / 'bad.txt'
    bad.write_text('a.mp4 1\nb.mp4\n')
    with pytest.raises(ValueError, match=r'bad\.txt:2'):
        read_video_list(str(bad))


# --------------------------------------------------------------------------
# The motion, not the appearance, defines the class
# --------------------------------------------------------------------------
@pytest.mark.parametrize('name', CLASS_NAMES)
def test_time_reversal_maps_class_to_its_pair(name):
    t = np.linspace(0, 1, 25)
    for seed in range(5):
        params = sample_motion_params(name, np.random.default_rng(seed))
        rev_name, rev_params = time_reversed(name, params)
        assert rev_name == TIME_REVERSED[name] != name
        np.testing.assert_allclose(
            trajectory(name, t[::-1], params),
            trajectory(rev_name, t, rev_params), atol=1e-9)
        # No trajectory is its own reverse, so only temporal order tells
        # the pair apart.
        assert np.abs(
            trajectory(name, t, params) -
            trajectory(rev_name, t, rev_params)).max() > 0.1


def test_accelerate_is_decelerate_backwards():
    t = np.linspace(0, 1, 17)
    params = sample_motion_params('accelerate', np.random.default_rng(0))
    speed = np.linalg.norm(np.diff(trajectory('accelerate', t, params), axis=0),
                           axis=1)
    assert np.all(np.diff(speed) > 0)
    name, rev = time_reversed('accelerate', params)
    assert name == 'decelerate'
    rev_speed = np.linalg.norm(np.diff(trajectory(name, t, rev), axis=0),
                               axis=1)
    assert np.all(np.diff(rev_speed) < 0)
    np.testing.assert_allclose(rev_speed, speed[::-1])


@pytest.mark.parametrize('name, sign', [('circle_cw', 1), ('circle_ccw', -1),
                                        ('line_right', 0)])
def test_rotation_sense(name, sign):
    """On screen (y down) clockwise motion has a positive cross product of
    successive velocities."""
    t = np.linspace(0, 1, 30)
    for seed in range(5):
        xy = trajectory(name, t,
                        sample_motion_params(name,
                                             np.random.default_rng(seed)))
        v = np.diff(xy, axis=0)
        cross = v[:-1, 0] * v[1:, 1] - v[:-1, 1] * v[1:, 0]
        if sign:
            assert np.all(np.sign(cross) == sign)
        else:
            assert np.allclose(cross, 0, atol=1e-12)


@pytest.mark.parametrize('name', CLASS_NAMES)
def test_trajectories_stay_in_frame(name):
    t = np.linspace(0, 1, 40)
    for seed in range(20):
        xy = trajectory(name, t,
                        sample_motion_params(name,
                                             np.random.default_rng(seed)))
        assert xy.min() > 0.05 and xy.max() < 0.95


def test_unknown_class():
    with pytest.raises(KeyError, match='unknown motion class'):
        sample_motion_params('jump', np.random.default_rng(0))


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------
def _run_cli(project_root, *args):
    env = dict(os.environ)
    # Works whether or not mmssar is pip-installed.
    env['PYTHONPATH'] = os.pathsep.join(
        [project_root] + [p for p in [env.get('PYTHONPATH')] if p])
    script = osp.join(project_root, 'tools', 'data', 'synthetic',
                      'generate.py')
    return subprocess.run([sys.executable, script, *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_help(project_root):
    proc = _run_cli(project_root, '--help')
    assert proc.returncode == 0, proc.stderr
    for option in ('--out', '--num-classes', '--train-per-class',
                   '--val-per-class', '--size', '--frames', '--seed',
                   '--workers'):
        assert option in proc.stdout


def test_cli_tiny_generation(project_root, tmp_path, small_set):
    out = str(tmp_path / 'cli')
    proc = _run_cli(project_root, '--out', out, '--num-classes', '4',
                    '--train-per-class', '2', '--val-per-class', '1',
                    '--size', '32', '--frames', '8', '12', '--seed', '3',
                    '--workers', '1')
    assert proc.returncode == 0, proc.stderr
    # Same arguments as the library call: same lists.
    assert _read(osp.join(out, 'train.txt')) == _read(small_set['train_list'])
    assert _read(osp.join(out, 'val.txt')) == _read(small_set['val_list'])
    bad = _run_cli(project_root, '--out', str(tmp_path / 'x'),
                   '--num-classes', '99')
    assert bad.returncode != 0 and 'num_classes' in bad.stderr
