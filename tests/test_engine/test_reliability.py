"""Broken data and diverging runs fail loudly or are skipped, never silently
poison the run."""
import glob
import os.path as osp
import shutil
import sys

import pytest
import torch
from engine_utils import ROOT, TINY_CFG, run_tool

TRAIN = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), TINY_CFG]


def _copy_set(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_corrupt_and_missing_unlabeled_videos_are_skipped(tiny_synth,
                                                          tmp_path):
    root = _copy_set(tiny_synth, str(tmp_path / 'synth'))
    with open(osp.join(root, 'videos', 'corrupt.mp4'), 'wb') as f:
        f.write(b'this is not a video' * 100)
    with open(osp.join(root, 'splits', 'unlabeled.txt'), 'a') as f:
        f.write('videos/corrupt.mp4 1\nvideos/missing.mp4 2\n')
    work = str(tmp_path / 'work')
    proc = run_tool(TRAIN + ['--work-dir', work], root)
    log = proc.stdout + proc.stderr
    assert 'skipping unreadable unlabeled sample' in log
    assert 'corrupt.mp4' in log
    ckpt = torch.load(osp.join(work, 'iter_6.pth'), weights_only=False)
    # 6 iterations x 4 unlabeled clips over an 18-clip pool with 2 broken
    # files: both are met in the first epoch
    assert ckpt['state_dict']['num_skipped_unlabeled'].item() >= 2


def test_corrupt_labeled_video_is_an_error_naming_it(tiny_synth, tmp_path):
    root = _copy_set(tiny_synth, str(tmp_path / 'synth'))
    labeled = osp.join(root, 'splits', 'labeled.txt')
    first = open(labeled).readline().split()[0]
    with open(osp.join(root, first), 'wb') as f:
        f.write(b'garbage' * 100)
    with pytest.raises(AssertionError) as err:
        run_tool(TRAIN + ['--work-dir', str(tmp_path / 'w')], root)
    assert 'cannot load labeled sample' in str(err.value)
    assert first in str(err.value)


def test_missing_labeled_video_is_refused_up_front(tiny_synth, tmp_path):
    root = _copy_set(tiny_synth, str(tmp_path / 'synth'))
    with open(osp.join(root, 'splits', 'labeled.txt'), 'a') as f:
        f.write('videos/not_there.mp4 1\n')
    with pytest.raises(AssertionError) as err:
        run_tool(TRAIN + ['--work-dir', str(tmp_path / 'w')], root)
    assert 'not_there.mp4' in str(err.value)
    assert 'labeled.txt:9' in str(err.value)


def test_label_out_of_range_is_refused(tiny_synth, tmp_path):
    root = _copy_set(tiny_synth, str(tmp_path / 'synth'))
    labeled = osp.join(root, 'splits', 'labeled.txt')
    lines = open(labeled).read().splitlines()
    lines[2] = lines[2].split()[0] + ' 7'
    open(labeled, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(AssertionError) as err:
        run_tool(TRAIN + ['--work-dir', str(tmp_path / 'w')], root)
    assert 'labeled.txt:3' in str(err.value)
    assert 'label 7' in str(err.value)


def test_overlapping_splits_are_refused(tiny_synth, tmp_path):
    root = _copy_set(tiny_synth, str(tmp_path / 'synth'))
    first = open(osp.join(root, 'splits', 'labeled.txt')).readline()
    with open(osp.join(root, 'splits', 'unlabeled.txt'), 'a') as f:
        f.write(first)
    with pytest.raises(AssertionError) as err:
        run_tool(TRAIN + ['--work-dir', str(tmp_path / 'w')], root)
    assert 'also appear in the unlabeled set' in str(err.value)
    # the FixMatch protocol (unlabeled pool = all training clips) is allowed
    run_tool(TRAIN + ['--work-dir', str(tmp_path / 'ok'), '--cfg-options',
                      'train_cfg.max_iters=1',
                      'train_cfg.unlabeled_includes_labeled=True'], root)


def test_non_finite_loss_stops_the_run(tiny_synth, tmp_path):
    work = str(tmp_path / 'w')
    with pytest.raises(AssertionError) as err:
        run_tool(TRAIN + ['--work-dir', work, '--cfg-options',
                          'optim_wrapper.optimizer.lr=1e20',
                          'optim_wrapper.clip_grad=None'], tiny_synth)
    assert 'non-finite loss' in str(err.value)
    # no checkpoint after the failure holds a non-finite teacher
    for path in glob.glob(osp.join(work, 'iter_*.pth')):
        state = torch.load(path, weights_only=False)['state_dict']
        for k, v in state.items():
            if k.startswith('teachers.teacher.') and v.is_floating_point():
                assert torch.isfinite(v).all(), (path, k)
