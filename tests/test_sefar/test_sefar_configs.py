"""The SeFAR configs parse, follow the official schedule and build; the
paper model (shrunk TimeSformer) takes a loss step through the batched
temporal perturbation."""
import copy
import glob
import math
import os.path as osp
from collections import OrderedDict

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PAPER = sorted(glob.glob(osp.join(ROOT, 'configs', 'sefar',
                                  'sefar_timesformer-*.py')))
TINY = osp.join(ROOT, 'configs', 'sefar',
                'sefar_tiny-slowonly_1500it_synthetic-20shot.py')
CLASSES = dict(gym99=99, gym288=288, finediving=52, ucf101=101, hmdb51=51)


@pytest.fixture(autouse=True)
def mmssar_scope(monkeypatch):
    monkeypatch.setattr(MessageHub, '_instance_dict', OrderedDict())
    MessageHub.get_instance('test_sefar_configs').update_info('iter', 10**6)
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def test_all_eleven_paper_configs_exist():
    names = [osp.basename(p) for p in PAPER]
    for tag in ('gym99-5pc', 'gym99-10pc', 'gym288-5pc', 'gym288-10pc',
                'finediving-5pc', 'finediving-10pc', 'ucf101-split1-1pc',
                'ucf101-split1-5pc', 'ucf101-split1-10pc',
                'hmdb51-split1-40pc', 'hmdb51-split1-50pc'):
        assert any(n.endswith(f'_{tag}.py') for n in names), tag


@pytest.mark.parametrize('path', PAPER, ids=osp.basename)
def test_paper_config_follows_the_official_recipe(path):
    cfg = Config.fromfile(path)
    name = osp.basename(path)
    ds = name.split('30e_')[1].split('-')[0]
    pct = name.rsplit('-', 1)[1].replace('pc.py', '')
    assert cfg.model.student.cls_head.num_classes == CLASSES[ds]
    assert cfg.model.type == 'SeFARRecognizer'
    ipe = cfg.iters_per_epoch
    assert cfg.train_cfg.max_iters == 30 * ipe
    ramp = cfg.model.semi_train_cfg.unsup_weight
    assert (ramp.type, ramp.warmup, ramp.rampup, ramp.offset) == (
        'SineRampWeight', 5 * ipe, 25 * ipe, ipe)
    sched, = cfg.param_scheduler
    assert sched.milestones == [25 * ipe, 28 * ipe] and sched.gamma == 0.1
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.nesterov,
            opt.weight_decay) == ('SGD', 0.005, 0.9, True, 1e-3)
    assert cfg.model.teacher.momentum == 1e-4
    assert cfg.model.semi_train_cfg.mc_passes == 10
    unl = cfg.train_cfg.unlabeled_dataloader
    assert unl.batch_size == 3 * cfg.train_dataloader.batch_size
    labeled = cfg.train_dataloader.dataset.dataset.ann_file
    assert f'_{pct}pc_labeled.txt' in labeled
    assert unl.dataset.dataset.ann_file == labeled.replace(
        '_labeled', '_unlabeled')
    assert cfg.train_cfg.unlabeled_includes_labeled is False
    sampler, = [t for t in cfg.test_dataloader.dataset.pipeline
                if t['type'] == 'ElementGroupSample']
    assert sampler.num_clips == 5 and sampler.test_mode
    pipes = (cfg.train_dataloader.dataset.dataset.pipeline,
             unl.dataset.dataset.pipeline,
             cfg.val_dataloader.dataset.pipeline,
             cfg.test_dataloader.dataset.pipeline)
    frames = ds == 'finediving'  # JPEG frames with offsets
    for pipe in pipes:
        types = [t['type'] for t in pipe]
        assert ('RawFrameDecode' in types) == frames
        assert ('DecordDecode' in types) != frames
        Compose(pipe)
    for loader in (cfg.train_dataloader.dataset, unl.dataset,
                   cfg.val_dataloader, cfg.test_dataloader):
        assert (loader.dataset.type == 'RawframeDataset') == frames


def shrink(student):
    student = copy.deepcopy(student)
    student.backbone.backbone.update(
        pretrained=None, img_size=32, embed_dims=24, num_heads=2,
        num_transformer_layers=1)
    student.cls_head.update(in_channels=24, fusion_dim=16, num_classes=5)
    return student


def test_paper_model_takes_a_loss_step_with_timesformer_elements():
    cfg = Config.fromfile(PAPER[0])
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.student = shrink(model_cfg.student)
    model_cfg.data_preprocessor.data_preprocessor = \
        model_cfg.student.data_preprocessor
    model = MODELS.build(model_cfg.to_dict())
    model.sync_teacher()
    model.train()
    gen = torch.Generator().manual_seed(0)

    def clip():
        return torch.randint(0, 256, (1, 3, 8, 32, 32), generator=gen,
                             dtype=torch.uint8)

    samples = []
    for _ in range(4):
        s = ActionDataSample().set_gt_label(-1)
        s.set_metainfo(dict(hidden_label=1, skipped=[]))
        samples.append(s)
    sup = dict(inputs=[clip(), clip()],
               data_samples=[ActionDataSample().set_gt_label(i)
                             for i in range(2)])
    weak = [clip() for _ in range(4)]
    unsup = dict(inputs=dict(weak=weak, strong=[w.clone() for w in weak]),
                 data_samples=samples)
    data = model.data_preprocessor([sup, unsup], True)
    # the strong view is the weak one with the fine elements reversed
    w, s = data['inputs']['unsup']['weak'], data['inputs']['unsup']['strong']
    assert torch.equal(s[:, :, :, [0, 5, 2, 7, 4, 1, 6, 3]], w)
    losses = model(**data, mode='loss')
    assert {'sup_loss_cls', 'unsup_loss_cls', 'unsup_loss_mix'} <= set(
        losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    embeds = model.student.backbone.time_embeds
    assert all(e.grad is not None for e in embeds)


def test_tiny_config_builds_its_pipelines_and_model():
    cfg = Config.fromfile(TINY)
    assert cfg.model.student.backbone.type == 'ElementGroupBackbone'
    assert cfg.model.semi_train_cfg.unsup_weight.type == 'SineRampWeight'
    unl = cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline
    assert unl[1].type == 'ElementGroupSample'
    Compose(unl)
    Compose(cfg.val_dataloader.dataset.pipeline)
    model = MODELS.build(cfg.model.to_dict())
    assert math.isclose(model.unsup_weight(1500), 1.0)


@pytest.mark.parametrize('variant,first', [
    ('official-channel-flip', 'TemporalPerturbation'),
    ('spatial-strong', 'VideoRandAugment'),
])
def test_strong_view_variants_change_only_the_strong_view(variant, first):
    base = Config.fromfile(TINY)
    cfg = Config.fromfile(TINY.replace('slowonly_', f'slowonly-{variant}_'))
    unl = cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline
    ref = base.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline
    assert unl[:-1] == ref[:-1]
    assert unl[-1].views.weak == ref[-1].views.weak
    assert unl[-1].views.strong != ref[-1].views.strong
    assert unl[-1].views.strong[0].type == first
    assert 'reverse' not in str(unl[-1].views.strong)
    assert cfg.model == base.model
    assert cfg.train_dataloader == base.train_dataloader
    assert cfg.val_dataloader == base.val_dataloader
    Compose(unl)


def test_threshold_variant_adds_only_a_threshold_after_ada_reg():
    base = Config.fromfile(TINY)
    cfg = Config.fromfile(TINY.replace('slowonly_', 'slowonly-threshold_'))
    weighters = cfg.model.semi_train_cfg.pop('weighters')
    assert weighters == [dict(type='FixedThreshold', threshold=0.8)]
    assert cfg.model == base.model
    assert cfg.train_cfg == base.train_cfg
    cfg.model.semi_train_cfg.weighters = weighters
    model = MODELS.build(cfg.model.to_dict())
    names = [type(w).__name__ for w in model.weighters]
    assert names == ['MCDropoutWeighter', 'FixedThreshold']
