import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'fixmatch_tiny_cfg.py')


@pytest.fixture(scope='session')
def tiny_synth(tmp_path_factory):
    """A 4-class synthetic motion set with a 2-per-class labeled split."""
    from mmssar.datasets.synthetic_motion import generate_synthetic_motion
    root = str(tmp_path_factory.mktemp('synth'))
    generate_synthetic_motion(
        root,
        num_classes=4,
        num_train_per_class=6,
        num_val_per_class=2,
        size=32,
        frames=(12, 14),
        seed=0)
    subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'data', 'make_split.py'),
        osp.join(root, 'train.txt'), '--per-class', '2', '--seed', '0',
        '--out',
        osp.join(root, 'splits', 'x')
    ], check=True, capture_output=True)
    os.rename(
        osp.join(root, 'splits', 'x_labeled.txt'),
        osp.join(root, 'splits', 'labeled.txt'))
    os.rename(
        osp.join(root, 'splits', 'x_unlabeled.txt'),
        osp.join(root, 'splits', 'unlabeled.txt'))
    return root
