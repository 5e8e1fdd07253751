"""The LTG configs under configs/ltg: they parse and build, and carry the
official recipe (lambert-x/video-semisup main configs): imgaug-style strong
augmentation drawn independently for RGB and TG, PreciseBN before every
validation (120 batches on HMDB51, 200 elsewhere) over the whole training
list read with the validation pipeline, cosine lr over the whole run times a
linear warm-up, test-time score averaging, and a TG-only config."""
import copy
import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.optim.scheduler import CosineAnnealingLR, LinearLR
from mmengine.registry import DefaultScope

from mmssar.engine.hooks import PreciseBNHook
from mmssar.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LTG_DIR = osp.join(ROOT, 'configs', 'ltg')
PAPER = sorted(
    osp.basename(p) for p in glob.glob(osp.join(LTG_DIR, 'ltg_r3d18_*.py')))
ALL = sorted(osp.basename(p) for p in glob.glob(osp.join(LTG_DIR, '*.py')))
UCF = 'ltg_r3d18_8xb5-mu1-8x8x1-43k_ucf101-split1-10pc.py'
TG_ONLY = 'tg-only_r3d18_8xb5-8x8x1-43k_ucf101-split1-10pc.py'


def load(name):
    return Config.fromfile(osp.join(LTG_DIR, name))


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def test_the_paper_settings_are_all_there():
    assert len(PAPER) == 10  # UCF101 x 5, HMDB51 x 3, Kinetics-400 x 2
    assert TG_ONLY in ALL


@pytest.mark.parametrize('name', ALL)
def test_every_ltg_config_parses_and_its_pipelines_build(name):
    cfg = load(name)
    loaders = [cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader]
    if 'unlabeled_dataloader' in cfg.train_cfg:
        loaders.append(cfg.train_cfg.unlabeled_dataloader)
    for loader in loaders:
        ds = loader.dataset
        ds = ds.dataset if ds.type == 'SemiDataset' else ds
        Compose(copy.deepcopy(ds.pipeline))


def _strong_augs(cfg):
    multi_view = cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline[
        -1]
    return {
        view: [t for t in steps if t.type == 'VideoRandAugment']
        for view, steps in multi_view.views.items()
    }


@pytest.mark.parametrize('name', PAPER)
def test_paper_config_recipe(name):
    cfg = load(name)
    model = cfg.model
    assert model.type == 'LTGRecognizer' and model.teacher is None
    # the student stays the stock recognizer: stage outputs come from hooks
    assert 'out_indices' not in model.student.backbone
    assert model.student.cls_head.average_clips == 'score'
    assert model.semi_test_cfg.predict_on == 'student'
    train = model.semi_train_cfg
    assert train.threshold == 0.3 and train.align_stages == (0, 1, 2, 3)
    # the unlabeled loss keeps FixMatch's ramp with the config's warm-up
    assert train.unsup_weight.warmup == cfg.warmup_iters

    # the imgaug RandAugment preset on both strong views, each its own draw
    augs = _strong_augs(cfg)
    assert augs['weak'] == augs['weak_tg'] == []
    for view in ('strong', 'strong_tg'):
        assert [a.preset for a in augs[view]] == ['ltg_imgaug']

    # PreciseBN: no periodic interval (before validation, checkpoints and
    # the end), 120 batches on HMDB51 and 200 elsewhere, 5 clips per GPU
    hooks = [h for h in cfg.custom_hooks if h.type == 'PreciseBNHook']
    assert len(hooks) == 1 and len(cfg.custom_hooks) == 1
    hook = hooks[0]
    assert hook.get('interval') is None
    assert hook.num_iters == (120 if 'hmdb51' in name else 200)
    assert hook.dataloader.batch_size == 5
    assert cfg.default_hooks.checkpoint.save_best == 'acc/top1'


@pytest.mark.parametrize('name', PAPER)
def test_precise_bn_reads_the_training_list_with_the_val_pipeline(name):
    cfg = load(name)
    hook_cfg = copy.deepcopy(cfg.custom_hooks[0])
    hook_cfg.pop('type')
    hook = PreciseBNHook(**hook_cfg)
    captured = {}

    def build_dataloader(loader_cfg, seed=None):
        captured.update(loader_cfg)
        return []

    runner = SimpleNamespace(cfg=cfg, seed=0,
                             build_dataloader=build_dataloader)
    hook._build_loader(runner)
    dataset = captured['dataset']
    assert dataset['ann_file'] == cfg.ann_file_train  # the whole list
    assert dataset['pipeline'] == cfg.val_dataloader.dataset.pipeline


def test_precise_bn_paths_name_the_missing_key():
    hook = PreciseBNHook(dataloader=dict(batch_size=1),
                         dataset_from='train_cfg.nothing.dataset')
    runner = SimpleNamespace(cfg=Config(dict(train_cfg=dict())), seed=0)
    with pytest.raises(KeyError, match="train_cfg has no key 'nothing'"):
        hook._build_loader(runner)


def _simulate(schedulers_cfg, base_lr, steps):
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base_lr)
    kinds = dict(LinearLR=LinearLR, CosineAnnealingLR=CosineAnnealingLR)
    scheds = []
    for s in copy.deepcopy(schedulers_cfg):
        kind = kinds[s.pop('type')]
        scheds.append(kind(opt, **s))
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        for s in scheds:
            s.step()
    return np.array(lrs)


@pytest.mark.parametrize('name', [UCF, TG_ONLY])
def test_lr_is_whole_run_cosine_times_linear_warmup(name):
    cfg = load(name)
    total, warmup = cfg.train_cfg.max_iters, cfg.warmup_iters
    base_lr = cfg.optim_wrapper.optimizer.lr
    lrs = _simulate(cfg.param_scheduler, base_lr, total)
    t = np.arange(total)
    # mmcv CosineAnnealing + linear warm-up (warmup_ratio 0.1); MMEngine's
    # LinearLR reaches 1 one iteration before mmcv's warm-up does (1e-4)
    cosine = 0.5 * (1 + np.cos(np.pi * t / total))
    ramp = np.where(t < warmup, 0.1 + 0.9 * t / warmup, 1.)
    np.testing.assert_allclose(lrs, base_lr * cosine * ramp, rtol=1e-3,
                               atol=1e-9)
    # e.g. at 90 of 180 epochs the lr is half the base lr
    assert lrs[total // 2] == pytest.approx(base_lr / 2, rel=1e-4)


def test_tg_only_config_trains_and_tests_on_temporal_gradients(tmp_path):
    cfg = load(TG_ONLY)
    assert cfg.model.type == 'Recognizer3D'
    assert cfg.model.cls_head.average_clips == 'score'
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    path = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                             (80, 60))
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (60, 80, 3), np.uint8)] * 72  # static
    for frame in frames:
        writer.write(frame)
    writer.release()

    def run(loader):
        pipeline = Compose(copy.deepcopy(loader.dataset.pipeline))
        return pipeline(
            dict(filename=path, label=3, start_index=0, modality='RGB'))

    train = run(cfg.train_dataloader)['inputs']
    assert tuple(train.shape) == (1, 3, 8, 224, 224)
    test = run(cfg.test_dataloader)['inputs']
    assert tuple(test.shape) == (30, 3, 8, 256, 256)
    # a static video has a flat TG (127 = (x - x + 255) // 2) up to codec
    # noise, far from its RGB frames
    assert abs(test.float().mean().item() - 127) < 3
    assert test.float().std().item() < 10


def test_tg_network_exports_and_loads_into_the_tg_only_model(tmp_path):
    from mmssar.utils.checkpoint import export_recognizer
    cfg = load(TG_ONLY)
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.norm_cfg = dict(type='BN3d', requires_grad=True)
    plain = MODELS.build(model_cfg)
    # an LTG state dict: RGB network `student.*`, TG network `tg_student.*`
    tg_state = {k: torch.randn_like(v.float()).to(v.dtype)
                for k, v in plain.state_dict().items()}
    state = {f'tg_student.{k}': v for k, v in tg_state.items()}
    state.update({f'student.{k}': torch.zeros_like(v)
                  for k, v in tg_state.items()})
    src, dst = str(tmp_path / 'ltg.pth'), str(tmp_path / 'tg.pth')
    torch.save(dict(state_dict=state), src)
    assert export_recognizer(src, dst, 'tg_student') == len(tg_state)
    exported = torch.load(dst, weights_only=False)['state_dict']
    missing, unexpected = plain.load_state_dict(exported, strict=True)
    assert not missing and not unexpected
    for k, v in plain.state_dict().items():
        assert torch.equal(v, tg_state[k]), k


def test_paper_model_builds():
    cfg = load(UCF)
    model_cfg = copy.deepcopy(cfg.model)
    model = MODELS.build(model_cfg)
    assert model.teacher is None
    assert model.tg_student is not model.student
    assert model.student.cls_head.average_clips == 'score'


def test_paper_unlabeled_pipeline_makes_weak_and_strong_rgb_and_tg(tmp_path):
    cfg = load(UCF)
    path = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                             (80, 60))
    rng = np.random.default_rng(0)
    for i in range(72):
        frame = np.zeros((60, 80, 3), np.uint8)
        frame[:, i % 80] = 255  # a moving bar: TG is not flat
        writer.write(cv2.add(frame, rng.integers(0, 40, frame.shape,
                                                 np.uint8)))
    writer.release()
    pipeline = Compose(
        copy.deepcopy(
            cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline))
    np.random.seed(0)
    views = pipeline(
        dict(filename=path, label=3, start_index=0,
             modality='RGB'))['inputs']
    assert {k: tuple(v.shape) for k, v in views.items()} == {
        k: (1, 3, 8, 224, 224)
        for k in ('weak', 'weak_tg', 'strong', 'strong_tg')
    }
    assert not torch.equal(views['weak'], views['strong'])
    assert not torch.equal(views['weak_tg'], views['strong_tg'])
