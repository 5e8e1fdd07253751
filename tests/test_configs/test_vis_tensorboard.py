"""The opt-in TensorBoard bases (configs/_base_/*tensorboard.py)."""
import glob
import importlib.util
import json
import os.path as osp
import time

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmssar.registry import VISUALIZERS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
QUICK = osp.join(ROOT, 'configs', 'quickstart',
                 'fixmatch_tiny-slowonly_1500it_synthetic-20shot.py')
BASES = osp.join(ROOT, 'configs', '_base_')
TB_BASE = osp.join(BASES, 'vis_tensorboard.py')


def _tb_available():
    try:
        return importlib.util.find_spec('tensorboard') is not None
    except ValueError:
        return False


@pytest.fixture
def cfg(tmp_path):
    """A quickstart config with the base added as its comment says."""
    path = tmp_path / 'cfg.py'
    path.write_text(
        f'_base_ = [{QUICK!r}, {TB_BASE!r}]\n'
        'visualizer = dict(vis_backends=_base_.tensorboard_vis_backends)\n')
    return Config.fromfile(str(path))


@pytest.mark.parametrize('runtime', ['semi_runtime', 'default_runtime'])
def test_runtime_variants(runtime):
    plain = Config.fromfile(osp.join(BASES, f'{runtime}.py'))
    tb = Config.fromfile(osp.join(BASES, f'{runtime}_tensorboard.py'))
    assert [b['type'] for b in tb.visualizer.vis_backends] == \
        ['LocalVisBackend', 'TensorboardVisBackend']
    assert tb.visualizer.type == plain.visualizer.type
    assert tb.get('custom_hooks') == plain.get('custom_hooks')
    assert tb.default_hooks == plain.default_hooks


def test_default_runtime_stays_local_only():
    cfg = Config.fromfile(QUICK)
    assert [b['type'] for b in cfg.visualizer.vis_backends] == \
        ['LocalVisBackend']


def test_base_adds_tensorboard_next_to_local(cfg):
    assert [b['type'] for b in cfg.visualizer.vis_backends] == \
        ['LocalVisBackend', 'TensorboardVisBackend']
    assert cfg.visualizer.type == 'ActionVisualizer'
    assert cfg.model.type == 'FixMatchRecognizer'  # the rest is untouched


def test_visualizer_writes_scalars_to_both(cfg, tmp_path):
    with DefaultScope.overwrite_default_scope('mmssar'):
        vis = VISUALIZERS.build(
            dict(cfg.visualizer, save_dir=str(tmp_path / 'vis'),
                 name=f'tb_test_{time.time_ns()}'))
    if not _tb_available():
        # the extra is missing: the first write says what to install
        with pytest.raises(ImportError, match='tensorboard'):
            vis.add_scalars(dict(mask_ratio=0.5), step=1)
        return
    vis.add_scalars(dict(mask_ratio=0.5, pl_acc=0.75), step=1)
    vis.close()
    with open(osp.join(tmp_path, 'vis', 'vis_data', 'scalars.json')) as f:
        assert json.loads(f.readline())['mask_ratio'] == 0.5
    events = glob.glob(osp.join(tmp_path, 'vis', 'vis_data',
                                'events.out.tfevents.*'))
    assert len(events) == 1
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    acc = EventAccumulator(events[0])
    acc.Reload()
    assert {'mask_ratio', 'pl_acc'} <= set(acc.Tags()['scalars'])
    assert acc.Scalars('pl_acc')[0].value == pytest.approx(0.75)
