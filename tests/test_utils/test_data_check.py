"""Missing data is refused up front with the command that makes it."""
import glob
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from mmssar.utils import experiment
from mmssar.utils.data_check import (TEST_LOADERS, check_data_files,
                                     missing_data_files)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
QUICK = osp.join(ROOT, 'configs', 'quickstart')
SYNTH_CFG = osp.join(QUICK,
                     'fixmatch_tiny-slowonly_1500it_synthetic-20shot.py')


def _load(path, monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Config.fromfile(path)


def test_missing_synthetic_data_names_the_preparing_command(
        tmp_path, monkeypatch):
    root = str(tmp_path / 'nowhere')
    cfg = _load(SYNTH_CFG, monkeypatch, MMSSAR_SYNTH_ROOT=root)
    missing = dict(missing_data_files(cfg))
    # labeled, unlabeled and val lists; each named with its config key
    assert missing['train_dataloader.dataset.dataset.ann_file'] == \
        f'{root}/splits/train_20shot_labeled.txt'
    assert 'train_cfg.unlabeled_dataloader.dataset.dataset.ann_file' in \
        missing
    assert missing['val_dataloader.dataset.ann_file'] == f'{root}/val.txt'
    with pytest.raises(FileNotFoundError) as err:
        check_data_files(cfg)
    msg = str(err.value)
    assert 'train_20shot_labeled.txt' in msg
    assert ('python tools/data/prepare_quickstart.py synthetic --root '
            f'{root}') in msg
    # a test run checks only the test loader
    assert [k for k, _ in missing_data_files(cfg, TEST_LOADERS)] == [
        'test_dataloader.dataset.ann_file'
    ]


def test_every_quickstart_config_says_how_to_make_its_data(
        tmp_path, monkeypatch):
    configs = sorted(glob.glob(osp.join(QUICK, '*.py')))
    assert len(configs) >= 8
    for path in configs:
        cfg = _load(path, monkeypatch,
                    MMSSAR_SYNTH_ROOT=str(tmp_path / 's'),
                    MMSSAR_SKELETON_ROOT=str(tmp_path / 'k'))
        assert missing_data_files(cfg), path
        with pytest.raises(FileNotFoundError,
                           match='tools/data/prepare_quickstart.py'):
            check_data_files(cfg)


def test_paper_config_points_to_its_split_command(monkeypatch):
    path = osp.join(ROOT, 'configs', 'fixmatch',
                    'fixmatch_r3d18_8xb5-mu1-8x8x1-43k_ucf101-split1-10pc.py')
    cfg = _load(path, monkeypatch)
    if not missing_data_files(cfg):
        pytest.skip('UCF101 is prepared in this checkout')
    with pytest.raises(FileNotFoundError, match='make_split.py'):
        check_data_files(cfg)


def test_train_tool_refuses_missing_data_with_the_command(tmp_path):
    root = str(tmp_path / 'nowhere')
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'train.py'), SYNTH_CFG,
         '--work-dir', str(tmp_path / 'w')],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, MMSSAR_SYNTH_ROOT=root))
    assert proc.returncode != 0
    assert 'FileNotFoundError' in proc.stderr
    assert f'prepare_quickstart.py synthetic --root {root}' in proc.stderr


def test_prepare_command_makes_exactly_the_files_the_config_reads(
        tmp_path, monkeypatch):
    """The printed command, run, satisfies the check (tiny generator)."""
    from mmssar.datasets import synthetic_motion
    real = synthetic_motion.generate_synthetic_motion

    def tiny(root, **kwargs):
        # 20 labels per class need > 20 clips per class; small and short
        kwargs.update(num_classes=10, num_train_per_class=21,
                      num_val_per_class=1, size=16, frames=(4, 4))
        return real(root, **kwargs)

    monkeypatch.setattr(synthetic_motion, 'generate_synthetic_motion', tiny)
    root = str(tmp_path / 'synth')
    cfg = _load(SYNTH_CFG, monkeypatch, MMSSAR_SYNTH_ROOT=root)
    sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
    try:
        import prepare_quickstart
    finally:
        sys.path.pop(0)
    assert prepare_quickstart.main(['synthetic', '--root', root]) == 0
    assert missing_data_files(cfg) == []
    check_data_files(cfg)


def test_prepare_nwucla_names_a_missing_source(tmp_path):
    with pytest.raises(FileNotFoundError, match='NW-UCLA skeleton folder'):
        experiment.prepare_nwucla(str(tmp_path / 'absent'),
                                  str(tmp_path / 'out'))


def test_ann_file_under_the_dataset_data_root(tmp_path):
    (tmp_path / 'train.txt').write_text('a.mp4 0\n')
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='VideoDataset', data_root=str(tmp_path), ann_file='train.txt'))))
    assert missing_data_files(cfg) == []
    cfg.train_dataloader.dataset.ann_file = 'val.txt'
    assert missing_data_files(cfg) == [
        ('train_dataloader.dataset.ann_file', osp.join(str(tmp_path),
                                                       'val.txt'))
    ]
    with pytest.raises(FileNotFoundError, match='docs/data_preparation.md'):
        check_data_files(cfg)  # no data_preparation: the docs
