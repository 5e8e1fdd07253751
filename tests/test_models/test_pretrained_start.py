"""Model-zoo starts (configs/zoo_start): a checkpoint with the zoo file's key
layout loads into student and teacher, strictly; what does not fit is
mapped or refused."""
import glob
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmaction
from mmssar.engine.hooks import PretrainedRecognizerHook
from mmssar.models.utils.graphs import KINECT_V1_LAYOUT
from mmssar.registry import MODELS
from mmssar.utils.pretrained import (adapt_pretrained_state,
                                     load_pretrained_recognizer)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ZOO = osp.join(ROOT, 'configs', 'zoo_start')
MIM = osp.join(osp.dirname(mmaction.__file__), '.mim', 'configs')

# MediaPipe hand: 0 wrist, four joints per finger, each finger on the wrist
HAND_LAYOUT = dict(
    num_node=21,
    inward=[(1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6), (8, 7),
            (9, 0), (10, 9), (11, 10), (12, 11), (13, 0), (14, 13),
            (15, 14), (16, 15), (17, 0), (18, 17), (19, 18), (20, 19)],
    center=0)


def _build(cfg):
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(cfg)
    model.init_weights()
    return model


def _zoo_recognizer(recipe):
    """The recognizer of an MMAction2 recipe, as its checkpoint holds it."""
    cfg = Config.fromfile(osp.join(MIM, recipe)).model
    if cfg.backbone.get('pretrained'):
        cfg.backbone.pretrained = None  # no download
        if 'pretrained2d' in cfg.backbone or 'TSM' in cfg.backbone.type:
            cfg.backbone.pretrained2d = False
    torch.manual_seed(1)
    return _build(cfg)


def _save_zoo_checkpoint(recognizer, path):
    # the layout of download.openmmlab.com checkpoints
    torch.save(dict(meta=dict(epoch=50), state_dict=recognizer.state_dict()),
               path)
    return path


def _start(model, checkpoint, joint_map=None):
    hook = PretrainedRecognizerHook(checkpoint, joint_map)
    hook.before_train(SimpleNamespace(iter=0, model=model, _load_from=None))


ZOO_CASES = [
    ('fixmatch_tsm-r50-k400-pre_8xb8-mu2-1x1x8-15k_ucf101-split1-10pc.py',
     'recognition/tsm/'
     'tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb.py'),
    ('fixmatch_slowonly-r50-k400-pre_8xb8-mu2-8x8x1-8k_hmdb51-split1-40pc.py',
     'recognition/slowonly/slowonly_r50_8xb16-8x8x1-256e_kinetics400-rgb.py'),
    ('fixmatch_stgcnpp-ntu60-pre_1xb16-mu4-u52-6k_nwucla-xview-3d-'
     '10perclass.py',
     'skeleton/stgcnpp/stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py'
     ),
]


def test_configs_name_real_zoo_checkpoints():
    """Every URL is the ``Weights:`` of an MMAction2 1.2 metafile."""
    metafiles = glob.glob(osp.join(MIM, '**', 'metafile.yml'), recursive=True)
    if not metafiles:
        pytest.skip('the installed mmaction2 has no .mim metafiles')
    weights = set()
    for path in metafiles:
        with open(path) as f:
            weights |= {line.split('Weights:', 1)[1].strip()
                        for line in f if 'Weights:' in line}
    zoo = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models', 'zoo_checkpoints.py'))
    urls = [v for k, v in zoo.items() if isinstance(v, str)]
    assert len(urls) == 3
    for url in urls:
        assert url in weights, url
    from mmssar.registry import HOOKS
    for config in glob.glob(osp.join(ZOO, '*.py')):
        hook = Config.fromfile(config).custom_hooks[-1]
        assert hook['checkpoint'] in urls
        with DefaultScope.overwrite_default_scope('mmssar'):
            assert isinstance(HOOKS.build(hook), PretrainedRecognizerHook)


@pytest.mark.parametrize('config,recipe', ZOO_CASES,
                         ids=['tsm', 'slowonly', 'stgcnpp'])
def test_zoo_checkpoint_starts_student_and_teacher(config, recipe, tmp_path):
    cfg = Config.fromfile(osp.join(ZOO, config))
    hook_cfg = cfg.custom_hooks[-1]
    zoo = _zoo_recognizer(recipe)
    ckpt = _save_zoo_checkpoint(zoo, str(tmp_path / 'zoo.pth'))
    torch.manual_seed(2)
    model = _build(cfg.model)
    head_before = {k: v.clone() for k, v in model.student.state_dict().items()
                   if k.startswith('cls_head.')}
    _start(model, ckpt, hook_cfg.get('joint_map'))

    source = zoo.state_dict()
    joint_map = hook_cfg.get('joint_map')
    student = model.student.state_dict()
    teacher = model.teacher.module.state_dict()
    assert set(student) == set(source)  # same key layout, nothing extra
    for key, value in source.items():
        if key.startswith('cls_head.'):
            # other class count: the head keeps its initialisation
            assert value.shape != student[key].shape
            assert torch.equal(student[key], head_before[key])
        elif joint_map is not None and key.endswith('.A'):
            idx = torch.tensor(joint_map)
            assert torch.equal(student[key], value[:, idx][:, :, idx]), key
        elif joint_map is not None and '.data_bn.' in key \
                and value.dim() == 1:
            v = value.reshape(25, 3)[torch.tensor(joint_map)].reshape(-1)
            assert torch.equal(student[key], v), key
        else:
            assert torch.equal(student[key], value), key
        assert torch.equal(teacher[key], student[key]), key


def test_resumed_run_keeps_its_weights(tmp_path):
    zoo = _zoo_recognizer(ZOO_CASES[2][1])
    ckpt = _save_zoo_checkpoint(zoo, str(tmp_path / 'zoo.pth'))
    cfg = Config.fromfile(osp.join(ZOO, ZOO_CASES[2][0]))
    model = _build(cfg.model)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hook = PretrainedRecognizerHook(ckpt, cfg.custom_hooks[-1]['joint_map'])
    for runner in (SimpleNamespace(iter=5, model=model, _load_from=None),
                   SimpleNamespace(iter=0, model=model, _load_from='x.pth')):
        hook.before_train(runner)
        for k, v in model.state_dict().items():
            assert torch.equal(v, before[k]), k


def _stgcnpp(layout, num_classes, in_channels=3, **backbone):
    return dict(
        type='RecognizerGCN',
        backbone=dict(
            type='STGCN',
            in_channels=in_channels,
            gcn_adaptive='init',
            gcn_with_res=True,
            tcn_type='mstcn',
            graph_cfg=dict(layout=layout, mode='spatial'),
            **backbone),
        cls_head=dict(
            type='GCNHead',
            num_classes=num_classes,
            in_channels=256 if not backbone else 128))


def _hagrid_model(layout=HAND_LAYOUT, num_classes=40, in_channels=2):
    """PYSKL's small ST-GCN++ of the HaGRID checkpoint (6 stages)."""
    return _stgcnpp(layout, num_classes, in_channels, num_stages=6,
                    down_stages=[6], inflate_stages=[6])


def test_other_layout_without_joint_map_is_refused():
    ntu = _build(_stgcnpp('nturgb+d', 60)).state_dict()
    ucla = _build(_stgcnpp(KINECT_V1_LAYOUT, 10)).state_dict()
    with pytest.raises(ValueError, match=r'(?s)backbone\.data_bn.*\(75,\).*'
                       r'\(60,\).*joint_map'):
        adapt_pretrained_state(ntu, ucla, 'ntu.pth')


def test_other_architecture_is_refused():
    ntu = _build(_stgcnpp('nturgb+d', 60)).state_dict()
    tsm = _zoo_recognizer(ZOO_CASES[0][1]).state_dict()
    with pytest.raises(ValueError, match='missing keys.*another architecture'):
        adapt_pretrained_state(tsm, ntu, 'tsm.pth')


def test_bad_joint_map_is_refused():
    ntu = _build(_stgcnpp('nturgb+d', 60)).state_dict()
    ucla = _build(_stgcnpp(KINECT_V1_LAYOUT, 10)).state_dict()
    with pytest.raises(ValueError, match=r'joint_map indices must be in'):
        adapt_pretrained_state(ntu, ucla, 'ntu.pth', joint_map=[0, 25])


# ----------------------------------------------- the real HaGRID checkpoint
@pytest.fixture
def hagrid(shared_data):
    path = osp.join(shared_data, 'checkpoints', 'stgcnpp_hagrid_handmp',
                    'hagrid.pth')
    if not osp.isfile(path):
        pytest.skip('hagrid.pth is absent')
    return path


def _fixmatch(student):
    return dict(
        type='FixMatchRecognizer',
        student=student,
        teacher=dict(type='TeacherEMA', momentum=0.01),
        semi_train_cfg=dict(threshold=0.9))


def test_hagrid_maps_its_head_into_student_and_teacher(hagrid):
    from mmengine.runner.checkpoint import _load_checkpoint
    ckpt = _load_checkpoint(hagrid, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    model = _build(_fixmatch(_hagrid_model()))
    _start(model, hagrid)
    for net in (model.student, model.teacher.module):
        loaded = net.state_dict()
        assert set(loaded) == {
            k.replace('cls_head.fc_cls.', 'cls_head.fc.') for k in state
        }
        for key, value in state.items():
            key = key.replace('cls_head.fc_cls.', 'cls_head.fc.')
            assert torch.equal(loaded[key], value), key


def test_hagrid_into_other_class_count_drops_the_head(hagrid):
    recognizer = _build(_hagrid_model(num_classes=7))
    notes = load_pretrained_recognizer(recognizer, hagrid)
    assert any('dropped the classifier (40 classes in the checkpoint, 7 in '
               'the model)' in n for n in notes), notes
    assert any('fc_cls' in n for n in notes)


@pytest.mark.parametrize('layout,in_channels,match', [
    (KINECT_V1_LAYOUT, 2, 'joint_map'),
    (HAND_LAYOUT, 3, r'\(42,\) in the checkpoint and \(63,\)'),
])
def test_hagrid_into_other_layout_is_refused(hagrid, layout, in_channels,
                                             match):
    recognizer = _build(_hagrid_model(layout, in_channels=in_channels))
    with pytest.raises(ValueError, match=match) as err:
        load_pretrained_recognizer(recognizer, hagrid)
    assert 'hagrid.pth does not fit the model' in str(err.value)


def test_hagrid_into_default_stgcnpp_is_another_architecture(hagrid):
    recognizer = _build(_stgcnpp(HAND_LAYOUT, 40, in_channels=2))
    with pytest.raises(ValueError, match='another architecture'):
        load_pretrained_recognizer(recognizer, hagrid)
