"""Every config of configs/scdnet parses into a consistent protocol, and the
full-size NTU pipelines produce the official input shapes."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS


def _leaves(project_root):
    files = sorted(
        glob.glob(osp.join(project_root, 'configs', 'scdnet', '*', '*.py')))
    return [f for f in files if osp.sep + '_base_' + osp.sep not in f]


def test_all_protocols_are_consistent(project_root, monkeypatch):
    monkeypatch.setenv('SPLIT_SEED', '4')
    leaves = _leaves(project_root)
    datasets = {osp.basename(osp.dirname(f)) for f in leaves}
    assert {
        'ntu60-xsub', 'ntu60-xview', 'ntu120-xsub', 'ntu120-xset', 'pku1-xsub',
        'pku2-xsub', 'nwucla-xview', 'cpu'
    } <= datasets
    kinds = {}
    for path in leaves:
        cfg = Config.fromfile(path)
        name = osp.basename(path)
        if 'stages' in cfg:  # a chain (tests/test_utils/test_stage_chain.py)
            continue
        kind = name.split('_')[1]
        kinds.setdefault(kind, 0)
        kinds[kind] += 1
        model = cfg.model
        if model.type == 'FixMatchRecognizer':
            model = model.student
        if model.type == 'SCDNetPretrainer':
            assert cfg.val_cfg is None and cfg.val_dataloader is None
            assert model.backbone.type == 'SCDNetEncoder'
            continue
        assert model.cls_head.num_classes == cfg.num_classes, name
        backbone = model.backbone
        if backbone.type == 'SCDNetEncoder':
            assert model.cls_head.in_channels == 2 * backbone.d_model
            # pre-trained weights come from the stage chain (load_from)
            assert backbone.get('init_cfg') is None, name
            assert backbone.get('frozen', False) == (kind == 'linear'), name
        ann = (cfg.train_dataloader.dataset.get('ann_file')
               or cfg.train_dataloader.dataset.dataset.ann_file)
        if kind == 'semi':
            assert ann != cfg.ann_file and ann.startswith(cfg.subset_prefix)
            if 'random' in name:
                assert ann.endswith('_random_seed4_labeled.pkl')
            else:
                assert ann.endswith('_balanced_labeled.pkl')
    # 7 data sets x (pretrain, linear, finetune, 4 semi) + CPU configs
    assert kinds['semi'] == 28 and kinds['pretrain'] >= 9


def test_no_config_names_a_work_dir(project_root):
    """Checkpoints of earlier stages reach later ones through stage chains
    (tools/run_chain.py), never through a hard-coded work_dirs path."""
    files = glob.glob(osp.join(project_root, 'configs', '**', '*.py'),
                      recursive=True)
    assert len(files) > 100
    offenders = [f for f in files if 'work_dirs' in open(f).read()]
    assert not offenders


@pytest.mark.parametrize('leaf', ['ntu60-xsub', 'nwucla-xview'])
def test_full_size_pipelines_give_official_shapes(project_root, leaf):
    cfg = Config.fromfile(
        osp.join(project_root, 'configs', 'scdnet', leaf,
                 f'scdnet_pretrain_1xb64-451e_{leaf}.py'))
    V = 25 if leaf.startswith('ntu') else 20
    M = cfg.num_person
    rng = np.random.default_rng(0)
    sample = dict(keypoint=rng.normal(size=(M, 90, V, 3)).astype(np.float32),
                  total_frames=90,
                  label=3)
    with DefaultScope.overwrite_default_scope('mmssar'):
        pretrain = Compose(cfg.train_dataloader.dataset.pipeline)
        test = Compose(cfg.test_pipeline)
        views = pretrain(dict(sample))['inputs']
        assert set(views) == {'query', 'key'}
        for view in views.values():
            assert tuple(view.shape) == (1, M, 64, V, 3)
        packed = test(dict(sample))
        assert tuple(packed['inputs'].shape) == (1, M, 64, V, 3)
        # the encoder of the config accepts exactly this layout
        tiny = dict(cfg.model.backbone,
                    base_channels=4,
                    d_model=16,
                    num_heads=2)
        encoder = MODELS.build(tiny)
    feat = encoder(packed['inputs'].float())
    assert tuple(feat.shape) == (1, 1, 32, 1, 1)
