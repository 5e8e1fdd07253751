"""mmssar's registries: children of every MMAction2 node, scope lookups,
configs that inherit MMAction2 configs."""
import os.path as osp
from collections import OrderedDict

import pytest
import torch
from mmaction import registry as mmaction_registry
from mmengine.config import Config
from mmengine.registry import DefaultScope, Registry

import mmssar.registry as mmssar_registry
from mmssar.models.utils import recognizer_logits
from mmssar.utils import register_all_modules

NODES = sorted(
    name for name in dir(mmaction_registry)
    if isinstance(getattr(mmaction_registry, name), Registry)
    and not name.startswith('MMENGINE_') and name != 'TOKENIZER')

TSN_BASE = ('mmaction::recognition/tsn/'
            'tsn_imagenet-pretrained-r50_8xb32-1x1x3-100e_kinetics400-rgb.py')


@pytest.fixture
def scope(monkeypatch):
    """Run with default scope 'mmssar'; restore the global scopes after."""
    monkeypatch.setattr(DefaultScope, '_instance_dict',
                        OrderedDict(DefaultScope._instance_dict))
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def test_every_mmaction_node_has_an_mmssar_child():
    assert len(NODES) == 22
    assert set(mmssar_registry.__all__) == set(NODES)
    for name in NODES:
        child = getattr(mmssar_registry, name)
        parent = getattr(mmaction_registry, name)
        assert isinstance(child, Registry), name
        assert child.scope == 'mmssar', name
        assert child.parent is parent, name
        assert child.name == parent.name, name
        assert parent._children['mmssar'] is child, name


def test_root_registries_find_mmssar_through_the_scope(scope):
    # what MMEngine's BaseModel / mmcv's Compose do with sub-configs
    from mmengine.registry import MODELS as ROOT_MODELS
    from mmengine.registry import TRANSFORMS as ROOT_TRANSFORMS

    from mmssar.datasets.transforms import MultiView
    from mmssar.models.losses import MaskedCrossEntropyLoss
    assert isinstance(
        ROOT_MODELS.build(dict(type='MaskedCrossEntropyLoss')),
        MaskedCrossEntropyLoss)
    assert isinstance(
        ROOT_TRANSFORMS.build(
            dict(type='MultiView',
                 views=dict(weak=[dict(type='PackActionInputs')]))),
        MultiView)


def test_build_resolves_mmssar_mmaction_and_mmengine_types(scope):
    from mmaction.datasets import VideoDataset
    from mmaction.models import Recognizer3D
    from mmaction.visualization import ActionVisualizer
    from mmengine.hooks import CheckpointHook
    from mmengine.optim import OptimWrapper

    from mmssar.engine import EMATeacherHook
    from mmssar.models import FixMatchRecognizer

    recognizer = dict(
        type='Recognizer3D',
        backbone=dict(
            type='ResNet3dSlowOnly',
            depth=18,
            pretrained=None,
            base_channels=8,
            lateral=False,
            conv1_kernel=(1, 7, 7),
            conv1_stride_t=1,
            pool1_stride_t=1,
            inflate=(0, 0, 1, 1)),
        cls_head=dict(type='I3DHead', in_channels=64, num_classes=2))
    assert isinstance(mmssar_registry.MODELS.build(recognizer), Recognizer3D)
    model = mmssar_registry.MODELS.build(
        dict(type='FixMatchRecognizer', student=recognizer))
    assert isinstance(model, FixMatchRecognizer)
    assert mmssar_registry.DATASETS.get('VideoDataset') is VideoDataset
    vis = mmssar_registry.VISUALIZERS.build(
        dict(type='ActionVisualizer', name='test_registry_vis'))
    assert isinstance(vis, ActionVisualizer)
    assert isinstance(
        mmssar_registry.HOOKS.build(dict(type='EMATeacherHook')),
        EMATeacherHook)
    assert isinstance(
        mmssar_registry.HOOKS.build(dict(type='CheckpointHook')),
        CheckpointHook)
    wrapper = mmssar_registry.OPTIM_WRAPPERS.build(
        dict(
            type='OptimWrapper',
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    assert isinstance(wrapper, OptimWrapper)
    for node, name in (('LOOPS', 'SemiIterBasedTrainLoop'),
                       ('DATA_SAMPLERS', 'SemiSampler'),
                       ('DATASETS', 'SemiDataset'),
                       ('TASK_UTILS', 'RampUpWeight'),
                       ('METRICS', 'AccMetric'),
                       ('LOOPS', 'ValLoop')):
        assert getattr(mmssar_registry, node).get(name) is not None, name


def test_inherited_mmaction_config_keeps_its_scope_and_builds(
        tmp_path, scope):
    cfg_file = osp.join(tmp_path, 'tsn_semi.py')
    with open(cfg_file, 'w') as f:
        f.write(f"_base_ = '{TSN_BASE}'\n"
                "default_scope = 'mmssar'\n"
                'model = dict(\n'
                '    backbone=dict(pretrained=None, depth=18),\n'
                '    cls_head=dict(in_channels=512, num_classes=5))\n'
                'student = model\n')
    cfg = Config.fromfile(cfg_file)
    assert cfg.default_scope == 'mmssar'
    assert cfg.model.get('_scope_') == 'mmaction'
    assert cfg.train_dataloader.dataset.get('_scope_') == 'mmaction'
    assert cfg.model.backbone.pretrained is None
    model = mmssar_registry.MODELS.build(cfg.model)
    assert type(model).__name__ == 'Recognizer2D'
    assert model.cls_head.num_classes == 5
    semi = mmssar_registry.MODELS.build(
        dict(type='MeanTeacherRecognizer', student=cfg.model))
    assert type(semi.student).__name__ == 'Recognizer2D'
    x = torch.randint(0, 255, (1, 3, 3, 32, 32), dtype=torch.uint8)
    batch = semi.data_preprocessor(dict(inputs=[x[0]], data_samples=None))
    semi.eval()
    with torch.no_grad():
        logits = recognizer_logits(semi.student, batch['inputs'])
    assert logits.shape == (1, 5)


@pytest.mark.parametrize('name', [
    'fixmatch_tiny-slowonly_1500it_synthetic-20shot.py',
    'meanteacher_tiny-slowonly_1500it_synthetic-20shot.py',
    'labeled-only_tiny-slowonly_1500it_synthetic-20shot.py',
])
def test_quickstart_configs_parse_and_build(project_root, scope, name):
    cfg = Config.fromfile(osp.join(project_root, 'configs', 'quickstart',
                                   name))
    assert cfg.default_scope == 'mmssar'
    model = mmssar_registry.MODELS.build(cfg.model)
    assert model.__class__.__name__ == cfg.model.type
    if 'labeled-only' not in name:
        assert model.num_classes == cfg.num_classes
        assert cfg.train_cfg.type == 'SemiIterBasedTrainLoop'
        assert mmssar_registry.LOOPS.get(cfg.train_cfg.type) is not None
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert 'EMATeacherHook' in hooks


def test_register_all_modules_sets_the_default_scope(monkeypatch):
    monkeypatch.setattr(DefaultScope, '_instance_dict', OrderedDict())
    register_all_modules(init_default_scope=False)
    assert DefaultScope.get_current_instance() is None
    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'mmssar'
    # another current scope is replaced, with a warning
    DefaultScope.get_instance('test_other', scope_name='mmaction')
    with pytest.warns(UserWarning, match='mmssar'):
        register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'mmssar'
