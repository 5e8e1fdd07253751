"""The compatibility patches of :mod:`mmssar.utils.compat`."""
import importlib
import importlib.util
import os
import os.path as osp
import subprocess
import sys
import time
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.runner.checkpoint import (CheckpointLoader, _load_checkpoint,
                                        load_checkpoint, load_state_dict)
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from mmssar.utils import compat
from mmssar.utils.launch import adapt_cfg_to_device

# MediaPipe hand: 0 wrist, then four joints per finger (thumb ... pinky),
# each finger attached to the wrist. MMAction2 ships no hand layout.
HAND_LAYOUT = dict(
    num_node=21,
    inward=[(1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6), (8, 7),
            (9, 0), (10, 9), (11, 10), (12, 11), (13, 0), (14, 13),
            (15, 14), (16, 15), (17, 0), (18, 17), (19, 18), (20, 19)],
    center=0)


def _color_jitter():
    from mmaction.datasets.transforms import ColorJitter
    return ColorJitter


def _installed():
    """What the patches install, by identity."""
    from mmengine.dist import utils as dist_utils
    from mmengine.utils import package_utils
    import mmengine.config.config as config_mod
    return dict(
        is_installed=package_utils.is_installed,
        get_installed_path=package_utils.get_installed_path,
        package2module=package_utils.package2module,
        config_get_installed_path=getattr(config_mod, 'get_installed_path',
                                          None),
        local_loader=CheckpointLoader._schemes[''],
        http_loader=CheckpointLoader._schemes.get('http://'),
        drn=sys.modules.get('mmaction.models.localizers.drn'),
        drn_sub=sys.modules.get('mmaction.models.localizers.drn.drn'),
        importlib_metadata=sys.modules.get('importlib_metadata'),
        np_inf=getattr(np, 'Inf', None),
        np_in1d=getattr(np, 'in1d', None),
        np_trapz=getattr(np, 'trapz', None),
        adjust_hue=_color_jitter().__dict__['adjust_hue'],
        init_dist_pytorch=dist_utils._init_dist_pytorch,
    )


def test_apply_all_is_idempotent():
    applied = dict(compat.APPLIED)
    assert set(applied) == {
        'importlib_metadata', 'missing_drn', 'pkg_resources',
        'checkpoint_loading', 'numpy_inf', 'cpu_distributed',
        'numpy_removed_functions', 'color_jitter_hue'
    }
    before = _installed()
    for _ in range(2):
        assert compat.apply_all() is compat.APPLIED
        assert compat.APPLIED == applied
        after = _installed()
        for key, value in before.items():
            assert after[key] is value, key


def test_each_patch_is_idempotent_on_its_own():
    before = _installed()
    for patch in (compat.patch_importlib_metadata, compat.patch_missing_drn,
                  compat.patch_pkg_resources,
                  compat.patch_checkpoint_loading, compat.patch_numpy_inf,
                  compat.patch_cpu_distributed,
                  compat.patch_numpy_removed_functions,
                  compat.patch_color_jitter_hue):
        patch()
        patch()
    after = _installed()
    for key, value in before.items():
        assert after[key] is value, key


def test_probes_report_the_fixed_state():
    # after apply_all every breakage is gone, so a re-probe finds nothing
    assert compat._drn_missing() is False
    assert compat._mmengine_loads_own_checkpoints() is True
    assert compat._pkg_resources_missing() is (
        importlib.util.find_spec('pkg_resources') is None)
    assert compat.APPLIED['pkg_resources'] is \
        compat._pkg_resources_missing()
    assert compat._color_jitter_hue_overflows() is False


# ------------------------------------------------------- pkg_resources
def test_package_helpers_give_correct_answers():
    import mmaction
    import mmengine
    from mmengine.utils import package_utils
    mmaction_dir = osp.dirname(mmaction.__file__)
    for fn in (package_utils.get_installed_path,
               compat._get_installed_path):
        assert osp.samefile(fn('mmaction2'), mmaction_dir)
        assert osp.samefile(fn('mmengine'), osp.dirname(mmengine.__file__))
    for fn in (package_utils.package2module, compat._package2module):
        assert fn('mmaction2') == 'mmaction'
    for fn in (package_utils.is_installed, compat._is_installed):
        assert fn('mmengine') is True
        assert fn('mmaction2') is True
        assert fn('no_such_pkg_xyz') is False


def test_pkg_resources_patch_reaches_the_config_module():
    if not compat.APPLIED['pkg_resources']:
        pytest.skip('pkg_resources is installed; MMEngine uses it')
    import mmengine.config.config as config_mod
    assert config_mod.get_installed_path is compat._get_installed_path
    assert config_mod.is_installed is compat._is_installed


def test_mmaction_base_config_resolves(tmp_path):
    cfg_file = osp.join(tmp_path, 'cfg.py')
    with open(cfg_file, 'w') as f:
        f.write("_base_ = 'mmaction::_base_/default_runtime.py'\n"
                "default_scope = 'mmssar'\n")
    cfg = Config.fromfile(cfg_file)
    assert cfg.default_scope == 'mmssar'
    assert 'checkpoint' in cfg.default_hooks


# ------------------------------------------------------------- imports
def test_importlib_metadata_importable():
    mod = importlib.import_module('importlib_metadata')
    assert mod.version('mmengine')


def test_mmaction_models_import_in_a_fresh_interpreter():
    code = ('import mmssar, mmaction.models\n'
            'from mmaction.models.localizers.drn import DRN\n'
            'from mmaction.models import Recognizer3D\n'
            'try:\n'
            '    DRN()\n'
            'except RuntimeError as e:\n'
            '    print("RuntimeError:", e)\n')
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'RuntimeError: DRN is not part of the installed' in proc.stdout


def test_drn_placeholder_raises_a_clear_error():
    import mmaction.models  # noqa: F401
    from mmaction.models.localizers import DRN
    with pytest.raises(RuntimeError, match='DRN is not part'):
        DRN()


def test_drn_placeholder_is_reachable_as_an_attribute():
    # ``import mmaction.models.localizers.drn as drn`` and attribute access
    # need the placeholder bound on its parent package, as a real import does
    import mmaction.models  # noqa: F401
    with pytest.raises(RuntimeError, match='DRN is not part'):
        mmaction.models.localizers.drn.DRN()


# ---------------------------------------------------------- checkpoints
class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)
        self.bn = nn.BatchNorm1d(1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.bn(self.linear(inputs))
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return out


@pytest.fixture
def isolated_globals(monkeypatch):
    """Runner creates a default scope and a message hub; undo both."""
    monkeypatch.setattr(DefaultScope, '_instance_dict',
                        OrderedDict(DefaultScope._instance_dict))
    monkeypatch.setattr(MessageHub, '_instance_dict',
                        OrderedDict(MessageHub._instance_dict))


def _runner(work_dir, **kwargs):
    loader = DataLoader(
        TensorDataset(torch.randn(8, 2)), batch_size=4, shuffle=False)
    return Runner(
        model=_ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=loader,
        optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        train_cfg=dict(by_epoch=False, max_iters=2),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=2,
                            by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmssar',
        experiment_name=f'compat_{osp.basename(work_dir)}_{time.time_ns()}',
        **kwargs)


@pytest.fixture
def runner_checkpoint(tmp_path, isolated_globals):
    runner = _runner(osp.join(tmp_path, 'run'))
    runner.train()
    path = osp.join(tmp_path, 'run', 'iter_2.pth')
    assert osp.isfile(path)
    return runner, path


def test_runner_checkpoint_loads_and_keeps_its_history(runner_checkpoint):
    runner, path = runner_checkpoint
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['iter'] == 2
    scalars = ckpt['message_hub']['log_scalars']
    assert isinstance(scalars['train/loss'], HistoryBuffer)
    assert len(scalars['train/loss'].data[0]) == 2
    assert 'state' in ckpt['optimizer']
    for k, v in runner.model.state_dict().items():
        assert torch.equal(ckpt['state_dict'][k], v), k
    if compat.APPLIED['checkpoint_loading']:
        # the patch is what makes this work: plain weights_only fails
        with pytest.raises(Exception):
            torch.load(path, map_location='cpu', weights_only=True)


def test_runner_load_from_and_resume(runner_checkpoint, tmp_path):
    trained, path = runner_checkpoint
    fresh = _runner(osp.join(tmp_path, 'load'), load_from=path)
    fresh.load_or_resume()
    for k, v in trained.model.state_dict().items():
        assert torch.equal(fresh.model.state_dict()[k], v), k
    resumed = _runner(osp.join(tmp_path, 'resume'), load_from=path,
                      resume=True)
    resumed.load_or_resume()
    assert resumed.iter == 2
    assert resumed.message_hub.get_scalar('train/loss').data[0].size == 2


def test_plain_state_dict_checkpoint_loads(tmp_path):
    src, dst = _ToyModel(), _ToyModel()
    with torch.no_grad():
        src.linear.weight.fill_(3.0)
    path = osp.join(tmp_path, 'plain.pth')
    torch.save(
        dict(
            state_dict=src.state_dict(),
            meta=dict(
                step=np.int64(5), hist=np.arange(3), dtype=np.dtype('f4'))),
        path)
    ckpt = load_checkpoint(dst, path, map_location='cpu', strict=True)
    assert torch.equal(dst.linear.weight, src.linear.weight)
    assert int(ckpt['meta']['step']) == 5
    assert ckpt['meta']['hist'].tolist() == [0, 1, 2]


class _Custom:
    """Not on any allow-list."""

    def __init__(self):
        self.x = 1


class _Evil:
    """Runs ``os.mkdir(marker)`` when unpickled by an unsafe loader."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker, )


@pytest.mark.parametrize('payload', ['custom', 'evil'])
def test_unsafe_pickles_are_refused(tmp_path, payload):
    marker = osp.join(tmp_path, 'pwned')
    obj = _Custom() if payload == 'custom' else _Evil(marker)
    path = osp.join(tmp_path, 'bad.pth')
    torch.save(dict(state_dict=dict(w=torch.ones(1)), extra=obj), path)
    with pytest.raises(Exception, match='(?i)weights_only|unpickl|global'):
        _load_checkpoint(path, map_location='cpu')
    with pytest.raises(Exception):
        compat.load_local_checkpoint(path, map_location='cpu')
    assert not osp.exists(marker)


def test_restricted_getattr():
    assert compat._restricted_getattr(HistoryBuffer, 'mean') is \
        HistoryBuffer.mean
    with pytest.raises(RuntimeError, match='refusing'):
        compat._restricted_getattr(HistoryBuffer, '__init__')
    with pytest.raises(RuntimeError, match='refusing'):
        compat._restricted_getattr(os, 'system')


def test_missing_local_checkpoint():
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        compat.load_local_checkpoint('nowhere.pth')


def test_real_stgcnpp_checkpoint_loads_into_mmaction_model(shared_data):
    from mmssar.registry import MODELS
    path = osp.join(shared_data, 'checkpoints', 'stgcnpp_hagrid_handmp',
                    'hagrid.pth')
    if not osp.isfile(path):
        pytest.skip('hagrid.pth is absent')
    ckpt = _load_checkpoint(path, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    assert any(k.startswith('backbone.') for k in state)
    # PYSKL names the head's linear layer ``fc_cls``, MMAction2's GCNHead
    # ``fc``; the backbone keys are identical
    assert {k for k in state if k.startswith('cls_head.')} == {
        'cls_head.fc_cls.weight', 'cls_head.fc_cls.bias'
    }
    state = {k.replace('cls_head.fc_cls.', 'cls_head.fc.'): v
             for k, v in state.items()}
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(
            dict(
                type='RecognizerGCN',
                backbone=dict(
                    type='STGCN',
                    in_channels=2,
                    gcn_adaptive='init',
                    gcn_with_res=True,
                    tcn_type='mstcn',
                    num_stages=6,
                    down_stages=[6],
                    inflate_stages=[6],
                    graph_cfg=dict(layout=HAND_LAYOUT, mode='spatial')),
                cls_head=dict(
                    type='GCNHead', num_classes=40, in_channels=128)))
    model_keys = set(model.state_dict())
    assert model_keys == set(state), (sorted(model_keys - set(state))[:5],
                                      sorted(set(state) - model_keys)[:5])
    load_state_dict(model, state, strict=True)
    for k, v in state.items():
        assert torch.equal(model.state_dict()[k], v), k
    model.eval()
    torch.manual_seed(0)
    with torch.no_grad():
        scores, _ = model.extract_feat(
            torch.randn(1, 1, 1, 16, 21, 2), stage='head')
    assert scores.shape == (1, 40)
    assert torch.isfinite(scores).all()


# ------------------------------------------------------------- numpy
def test_np_inf_and_pose_compact():
    from mmaction.datasets.transforms import PoseCompact
    assert np.Inf == np.inf
    kp = np.zeros((1, 5, 17, 2), np.float32)
    kp[..., 0] = np.linspace(20, 40, 17)
    kp[..., 1] = np.linspace(10, 50, 17)
    results = dict(keypoint=kp.copy(), img_shape=(100, 100), total_frames=5)
    out = PoseCompact(hw_ratio=1., allow_imgpad=True, padding=0.)(results)
    h, w = out['img_shape']
    assert h == w  # hw_ratio 1: square box around the skeleton
    assert out['keypoint'][..., 0].min() >= 0
    assert out['keypoint'][..., 1].max() <= h


def test_numpy_removed_functions_match_numpy_1():
    assert np.in1d([[1, 5], [3, 7]], [3, 5]).tolist() == [
        False, True, True, False
    ]
    assert np.in1d([1, 2], [2], invert=True).tolist() == [True, False]
    assert np.trapz([1., 2., 3.], [0., 1., 3.]) == pytest.approx(1.5 + 5.)
    if compat.APPLIED['numpy_removed_functions']:
        assert np.in1d is compat._in1d and np.trapz is compat._trapz


def test_mmaction_retrieval_recall_runs():
    """``RetrievalRecall`` calls ``np.in1d``."""
    from mmaction.evaluation.metrics import RetrievalRecall
    pred = np.array([[0.9, 0.1, 0.0], [0.1, 0.2, 0.7], [0.3, 0.6, 0.1]])
    target = np.eye(3)[[0, 0, 1]]  # one-hot relevance
    top1, top2 = RetrievalRecall.calculate(pred, target, topk=(1, 2))
    # samples 0 and 2 hit at top-1; sample 1 (class 0) is ranked last
    assert float(top1) == pytest.approx(200 / 3)
    assert float(top2) == pytest.approx(200 / 3)
    top3, = RetrievalRecall.calculate(pred, target, topk=3)
    assert float(top3) == pytest.approx(100.)


def test_mmaction_average_recall_runs():
    """``average_recall_at_avg_proposals`` calls ``np.trapz``."""
    from mmaction.evaluation.functional import \
        average_recall_at_avg_proposals
    gt = {'v1': np.array([[0., 10.]]), 'v2': np.array([[5., 8.]])}
    # one exact proposal ranked first, then a miss
    proposals = {
        'v1': np.array([[0., 10., 0.9], [20., 30., 0.1]]),
        'v2': np.array([[5., 8., 0.8], [0., 1., 0.2]])
    }
    recall, avg_recall, per_video, auc = average_recall_at_avg_proposals(
        gt, proposals, total_num_proposals=4, max_avg_proposals=2,
        temporal_iou_thresholds=np.array([0.5]))
    assert avg_recall[-1] == pytest.approx(1.0)
    assert 0 < auc <= 100
    expected = 100 * np.trapezoid(avg_recall, per_video) / per_video[-1]
    assert auc == pytest.approx(expected)


@pytest.mark.parametrize('hue', [0.1, 0.5])
def test_mmaction_color_jitter_runs(hue):
    """The stock transform: negative hue offsets overflowed uint8."""
    ColorJitter = _color_jitter()
    np.random.seed(0)
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
            for _ in range(3)]
    for _ in range(10):  # both signs of the random hue offset
        out = ColorJitter(hue=hue)(dict(imgs=list(imgs)))
        assert len(out['imgs']) == 3
        assert all(img.dtype == np.uint8 and img.shape == (8, 8, 3)
                   for img in out['imgs'])


def test_adjust_hue_shifts_modulo_180():
    import cv2
    ColorJitter = _color_jitter()
    hsv = np.zeros((1, 2, 3), np.uint8)
    hsv[..., 0] = [10, 170]
    hsv[..., 1:] = 255
    img = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).astype(np.float32)
    for factor in (-0.1, 0.4):  # offsets -25 and +102
        out = ColorJitter.adjust_hue(img, factor).astype(np.uint8)
        hue = cv2.cvtColor(out, cv2.COLOR_RGB2HSV)[0, :, 0].astype(int)
        expected = (np.array([10, 170]) + int(factor * 255)) % 180
        # hue survives the RGB round trip to within a step
        assert np.abs(hue - expected).max() <= 1, (factor, hue, expected)


# --------------------------------------------------------- distributed
def test_cpu_distributed_patch_matches_hardware():
    from mmengine.dist import utils as dist_utils
    if torch.cuda.is_available():
        assert not getattr(dist_utils._init_dist_pytorch, '__mmssar_patch__',
                           False)
    else:
        assert compat.APPLIED['cpu_distributed'] is True
        assert dist_utils._init_dist_pytorch is compat._init_dist_pytorch_cpu


def _cfg(**kwargs):
    return Config(dict(model=dict(type='X'), **kwargs))


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)


def test_adapt_cfg_to_device_keeps_non_distributed_runs(no_cuda):
    cfg = _cfg(launcher='none', env_cfg=dict(dist_cfg=dict(backend='nccl')))
    before = cfg.to_dict()
    adapt_cfg_to_device(cfg)
    assert cfg.to_dict() == before


def test_adapt_cfg_to_device_without_cuda(no_cuda):
    # the layout of MMAction2's default_runtime
    cfg = _cfg(
        launcher='pytorch',
        env_cfg=dict(dist_cfg=dict(backend='nccl'), cudnn_benchmark=False))
    adapt_cfg_to_device(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.env_cfg.cudnn_benchmark is False
    assert cfg.model_wrapper_cfg.type == 'MMDistributedDataParallel'
    assert cfg.model_wrapper_cfg.device_ids is None

    cfg = _cfg(
        launcher='pytorch',
        env_cfg=dict(dist_cfg=dict(backend='nccl')),
        model_wrapper_cfg=dict(
            type='MMDistributedDataParallel', find_unused_parameters=True))
    adapt_cfg_to_device(cfg)
    assert cfg.model_wrapper_cfg.find_unused_parameters is True
    assert cfg.model_wrapper_cfg.device_ids is None

    cfg = _cfg(launcher='slurm', env_cfg=dict(dist_cfg=dict(backend='mpi')))
    adapt_cfg_to_device(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'mpi'


@pytest.mark.parametrize('env_cfg', [None, dict(cudnn_benchmark=False)])
def test_adapt_cfg_to_device_fills_missing_dist_cfg(no_cuda, env_cfg):
    """A config without ``env_cfg.dist_cfg`` must still get gloo."""
    cfg = _cfg(launcher='pytorch') if env_cfg is None else _cfg(
        launcher='pytorch', env_cfg=env_cfg)
    adapt_cfg_to_device(cfg)
    assert cfg.env_cfg.get('dist_cfg', {}).get('backend') == 'gloo'
    assert cfg.model_wrapper_cfg.device_ids is None


def test_adapt_cfg_to_device_with_cuda_changes_nothing(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = _cfg(launcher='pytorch', env_cfg=dict(dist_cfg=dict(
        backend='nccl')))
    before = cfg.to_dict()
    adapt_cfg_to_device(cfg)
    assert cfg.to_dict() == before
