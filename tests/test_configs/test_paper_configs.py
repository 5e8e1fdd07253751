"""The paper configs under configs/fixmatch and configs/meanteacher.

Every config parses, is internally consistent (classes, label split named
like the config, unlabeled pool, schedule length) and its pipelines build;
one config per model family builds its model and takes a loss step, the
skeleton ones on samples made by their own pipelines.
"""
import copy
import glob
import os.path as osp
from collections import OrderedDict

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS

PROJECT_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ALGOS = dict(fixmatch='FixMatchRecognizer',
             meanteacher='MeanTeacherRecognizer')
CONFIGS = sorted(
    osp.relpath(p, PROJECT_ROOT) for algo in ALGOS
    for p in glob.glob(osp.join(PROJECT_ROOT, 'configs', algo, '*.py')))
SEMI_LOOPS = ('SemiIterBasedTrainLoop', 'SemiEpochBasedTrainLoop')

FIXMATCH = 'configs/fixmatch/fixmatch_'
MEANTEACHER = 'configs/meanteacher/meanteacher_'
TSM = 'tsm-r50-in1k-pre_8xb8-mu2-1x1x8-15k_ucf101-split1-10pc.py'
R3D = 'r3d18_8xb5-mu1-8x8x1-43k_ucf101-split1-10pc.py'
NTU = 'stgcn_8xb16-mu4-u100-25k_ntu60-xsub-3d-10pc.py'
UCLA = 'stgcn_1xb16-mu4-u52-6k_nwucla-xview-3d-10perclass.py'
SKELETON_SHAPES = dict(ntu=(1, 2, 100, 25, 3), ucla=(1, 1, 52, 20, 3))


def load(rel_path):
    return Config.fromfile(osp.join(PROJECT_ROOT, rel_path))


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


@pytest.fixture
def past_warmup(monkeypatch):
    """A fresh MessageHub at an iteration where every warm-up is over."""
    monkeypatch.setattr(MessageHub, '_instance_dict', OrderedDict())
    hub = MessageHub.get_instance('test_paper_configs')
    hub.update_info('iter', 10**6)
    return hub


def loaders(cfg):
    return dict(
        labeled=cfg.train_dataloader,
        unlabeled=cfg.train_cfg.unlabeled_dataloader,
        val=cfg.val_dataloader,
        test=cfg.test_dataloader)


def inner(loader):
    """The MMAction2 dataset config of a loader (inside a SemiDataset)."""
    ds = loader.dataset
    return ds.dataset if ds.type == 'SemiDataset' else ds


def test_every_setting_has_both_algorithms():
    fixmatch = {p[len(FIXMATCH):] for p in CONFIGS if p.startswith(FIXMATCH)}
    meanteacher = {
        p[len(MEANTEACHER):]
        for p in CONFIGS if p.startswith(MEANTEACHER)
    }
    assert fixmatch == meanteacher
    # UCF101 x 5 and HMDB51 x 3 and K400 x 2 ratios for two CNNs,
    # NTU-60 x-sub / x-view x 2 ratios, NW-UCLA x 3
    assert len(fixmatch) == 2 * (5 + 3 + 2) + 4 + 3
    for name in (TSM, R3D, NTU, UCLA):
        assert name in fixmatch


@pytest.mark.parametrize('path', CONFIGS)
def test_config_is_consistent(path):
    cfg = load(path)
    algo = path.split('/')[1]
    assert cfg.default_scope == 'mmssar'
    assert cfg.train_cfg.type in SEMI_LOOPS
    assert cfg.model.type == ALGOS[algo]
    assert cfg.model.teacher.type == 'TeacherEMA'
    assert cfg.model.semi_test_cfg.predict_on == 'both'
    assert cfg.auto_scale_lr.base_batch_size > 0

    # one number of classes everywhere
    labeled = cfg.train_dataloader.dataset
    unlabeled = cfg.train_cfg.unlabeled_dataloader.dataset
    assert (labeled.type, labeled.role) == ('SemiDataset', 'labeled')
    assert (unlabeled.type, unlabeled.role) == ('SemiDataset', 'unlabeled')
    num_classes = cfg.model.student.cls_head.num_classes
    assert labeled.num_classes == unlabeled.num_classes == num_classes
    assert num_classes == cfg.num_classes

    # the label split is the one the file name promises, the unlabeled pool
    # is the whole training list (FixMatch / LTG protocol)
    token = osp.splitext(path)[0].rsplit('-', 1)[-1]
    assert f'_{token}_' in osp.basename(labeled.dataset.ann_file), (
        labeled.dataset.ann_file)
    assert labeled.dataset.ann_file.endswith(
        ('_labeled.txt', '_labeled.pkl'))
    assert cfg.train_cfg.unlabeled_includes_labeled is True
    full = cfg.get('ann_file_train', cfg.get('ann_file'))
    assert unlabeled.dataset.ann_file == full
    if labeled.dataset.type == 'PoseDataset':
        assert labeled.dataset.split == unlabeled.dataset.split
        assert cfg.val_dataloader.dataset.split != labeled.dataset.split

    # the lr schedule covers the run exactly
    assert cfg.param_scheduler[-1].end == cfg.train_cfg.max_iters
    assert cfg.param_scheduler[0].begin == 0

    # every pipeline builds; the unlabeled one yields a weak and a strong
    # view from one shared decode
    for name, loader in loaders(cfg).items():
        pipeline = inner(loader).pipeline
        assert pipeline, f'{name} loader has no pipeline'
        Compose(copy.deepcopy(pipeline))
    multi_view = inner(cfg.train_cfg.unlabeled_dataloader).pipeline[-1]
    assert multi_view.type == 'MultiView'
    assert set(multi_view.views) == {'weak', 'strong'}


def _video(path, num_frames=72, size=(80, 60)):
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                             size)
    rng = np.random.default_rng(0)
    for _ in range(num_frames):
        writer.write(rng.integers(0, 256, (size[1], size[0], 3), np.uint8))
    writer.release()
    return path


@pytest.mark.parametrize('name,view_shape,test_shape', [
    (TSM, (8, 3, 224, 224), (80, 3, 224, 224)),
    (R3D, (1, 3, 8, 224, 224), (30, 3, 8, 256, 256)),
])
def test_video_pipelines(tmp_path, name, view_shape, test_shape):
    cfg = load(FIXMATCH + name)
    video = _video(str(tmp_path / 'clip.mp4'))

    def run(loader):
        pipeline = Compose(copy.deepcopy(inner(loader).pipeline))
        return pipeline(
            dict(filename=video, label=3, start_index=0, modality='RGB'))

    assert tuple(run(cfg.train_dataloader)['inputs'].shape) == view_shape
    views = run(cfg.train_cfg.unlabeled_dataloader)['inputs']
    assert {k: tuple(v.shape) for k, v in views.items()} == dict(
        weak=view_shape, strong=view_shape)
    # the strong view is the weak clip plus appearance changes
    assert not torch.equal(views['weak'], views['strong'])
    assert tuple(run(cfg.test_dataloader)['inputs'].shape) == test_shape


def _tiny_video_batch(shape, n, seed):
    gen = torch.Generator().manual_seed(seed)
    return [
        torch.randint(0, 256, shape, generator=gen, dtype=torch.uint8)
        for _ in range(n)
    ]


def _skeleton_samples(cfg, loader, n, num_person, num_joints, seed):
    pipeline = Compose(copy.deepcopy(inner(loader).pipeline))
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        frames = int(rng.integers(20, 90))
        kp = rng.normal(size=(num_person, frames, num_joints, 3))
        out.append(
            pipeline(
                dict(
                    keypoint=kp.astype(np.float32),
                    total_frames=frames,
                    frame_dir=f'sample{i}',
                    label=i % cfg.num_classes,
                    start_index=0,
                    modality='Pose')))
    return pseudo_collate(out)


def _batches(kind, cfg, n_sup=2, n_unsup=4):
    """A labeled batch and an unlabeled two-view batch, as the loaders give.

    Video: random uint8 clips at 32 px (the 224 px pipelines are checked
    in ``test_video_pipelines``). Skeletons: random sequences through the
    config's own pipelines.
    """
    if kind in ('tsm', 'r3d'):
        from mmaction.structures import ActionDataSample
        shape = (8, 3, 32, 32) if kind == 'tsm' else (1, 3, 8, 32, 32)
        sup = dict(
            inputs=_tiny_video_batch(shape, n_sup, 0),
            data_samples=[
                ActionDataSample().set_gt_label(i) for i in range(n_sup)
            ])
        unsup = dict(
            inputs=dict(
                weak=_tiny_video_batch(shape, n_unsup, 1),
                strong=_tiny_video_batch(shape, n_unsup, 2)),
            data_samples=[
                ActionDataSample().set_gt_label(-1) for _ in range(n_unsup)
            ])
        return sup, unsup
    num_person, num_joints = (2, 25) if kind == 'ntu' else (1, 20)
    sup = _skeleton_samples(cfg, cfg.train_dataloader, n_sup, num_person,
                            num_joints, 0)
    unsup = _skeleton_samples(cfg, cfg.train_cfg.unlabeled_dataloader,
                              n_unsup, num_person, num_joints, 1)
    return sup, unsup


@pytest.mark.parametrize('kind,path', [
    ('tsm', FIXMATCH + TSM),
    ('r3d', FIXMATCH + R3D),
    ('ntu', FIXMATCH + NTU),
    ('ucla', FIXMATCH + UCLA),
    ('r3d', MEANTEACHER + R3D),
    ('ucla', MEANTEACHER + UCLA),
])
def test_model_builds_and_takes_a_loss_step(kind, path, past_warmup):
    cfg = load(path)
    model_cfg = copy.deepcopy(cfg.model)
    backbone = model_cfg.student.backbone
    if 'pretrained' in backbone:
        backbone.pretrained = None  # no download; init_weights is not run
    if backbone.get('norm_cfg', {}).get('type') == 'SyncBN':
        # SyncBN needs a process group; a single process uses plain BN
        # (MMEngine's runner reverts it the same way)
        backbone.norm_cfg = dict(type='BN3d', requires_grad=True, eps=1e-3)
    is_fixmatch = model_cfg.type == 'FixMatchRecognizer'
    if is_fixmatch:
        # keep every pseudo-label so that the unlabeled term is not empty
        model_cfg.semi_train_cfg.threshold = 0.0

    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.sync_teacher()
    model.train()
    assert model.num_classes == cfg.num_classes

    data = model.data_preprocessor(_batches(kind, cfg), True)
    if kind in SKELETON_SHAPES:
        # (N, clips, persons, frames, joints, xyz) from the pipelines
        shape = SKELETON_SHAPES[kind]
        assert tuple(data['inputs']['sup']['default'].shape) == (2, ) + shape
        for view in data['inputs']['unsup'].values():
            assert tuple(view.shape) == (4, ) + shape
    losses = model(**data, mode='loss')
    unsup_key = 'unsup_loss_cls' if is_fixmatch else 'unsup_loss_cons'
    assert {'sup_loss_cls', unsup_key} <= set(losses)
    assert all(torch.isfinite(v).all() for v in losses.values())
    # the unlabeled term is switched on at this iteration
    assert float(losses['unsup_weight']) > 0
    assert float(losses[unsup_key].detach()) > 0
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    head = model.student.cls_head
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in head.parameters())
    assert all(p.grad is None for p in model.teacher.parameters())
