"""The ACL+MTL configs: each paper leaf is its FixMatch config plus ACL and
MTL (same labeled and val pipelines, same schedule, warm-ups aligned), and
the multi-scale unlabeled pipeline yields the views the model reads, with
the frames the sampler chose, from one decode."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from mmssar.models.semi.acl_mtl import MTL_DEFAULTS

PROJECT_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LEAVES = sorted(
    osp.relpath(p, PROJECT_ROOT)
    for p in glob.glob(osp.join(PROJECT_ROOT, 'configs', 'acl_mtl',
                                'acl-mtl_r3d18*.py')))


def load(rel):
    return Config.fromfile(osp.join(PROJECT_ROOT, rel))


def test_all_settings_are_there():
    names = ' '.join(LEAVES)
    for setting in ('ucf101-split1-1pc', 'ucf101-split1-5pc',
                    'ucf101-split1-10pc', 'ucf101-split1-20pc',
                    'hmdb51-split1-40pc', 'hmdb51-split1-50pc',
                    'hmdb51-split1-60pc', 'kinetics400-1pc',
                    'kinetics400-10pc'):
        assert f'{setting}.py' in names, setting


@pytest.mark.parametrize('rel', LEAVES)
def test_leaf_is_its_fixmatch_config_plus_acl_mtl(rel):
    cfg = load(rel)
    base = load(rel.replace('acl_mtl/acl-mtl_', 'fixmatch/fixmatch_'))
    model = cfg.model
    assert model.type == 'ACLMTLRecognizer'
    assert model.semi_train_cfg.pseudo_label_source == 'teacher'
    warmup = base.model.semi_train_cfg.unsup_weight.warmup
    assert model.acl.weight.warmup == model.mtl.weight.warmup == warmup > 0
    assert model.student == base.model.student
    assert model.semi_train_cfg.threshold == \
        base.model.semi_train_cfg.threshold
    for key in ('max_iters', 'val_interval'):
        assert cfg.train_cfg[key] == base.train_cfg[key]
    assert cfg.param_scheduler == base.param_scheduler
    labeled = cfg.train_dataloader.dataset.dataset
    base_labeled = base.train_dataloader.dataset.dataset
    # same labeled list; the pipeline adds the long clips MTL's calibration
    # is trained on (calib_on='labeled')
    assert model.mtl.calib_on == 'labeled'
    assert model.mtl.pseudo_labels == 'calibrated'
    assert labeled.pop('pipeline') != base_labeled.pop('pipeline')
    assert labeled == base_labeled
    assert cfg.train_dataloader.batch_size == \
        base.train_dataloader.batch_size
    assert cfg.val_dataloader == base.val_dataloader
    unlabeled = cfg.train_cfg.unlabeled_dataloader.dataset.dataset
    assert unlabeled.ann_file == \
        base.train_cfg.unlabeled_dataloader.dataset.dataset.ann_file
    views = unlabeled.pipeline[-1]['views']
    assert {'weak', 'strong', *model.mtl.long_views} == set(views)


def _views_after_decode(pipeline, clip_views, label=-1):
    """Frames tagged with their index go through a config's own pipeline
    (from the sampler on, the decode replaced by a lookup); ``clip_views``
    names the view cut from each clip of the sampler, in order (short
    first), and each is checked to hold that clip's frames.

    Returns:
        dict: The packed views.
    """
    assert pipeline[0]['type'] == 'DecordInit'
    assert pipeline[2]['type'] == 'DecordDecode'
    np.random.seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        sampler = Compose(pipeline[1:2])
        rest = Compose(pipeline[3:])
    results = sampler(dict(total_frames=300, start_index=0, label=label,
                           filename='x.mp4'))
    inds = results['frame_inds']
    results['imgs'] = [np.full((240, 320, 3), i % 256, np.uint8)
                       for i in inds]
    results.update(img_shape=(240, 320), original_shape=(240, 320),
                   modality='RGB')
    views = rest(results)['inputs']
    clip_len = pipeline[1]['clip_len']
    for index, name in enumerate(clip_views):
        x = views[name]
        assert x.shape[:3] == (1, 3, clip_len)
        expected = torch.as_tensor(
            inds[index * clip_len:(index + 1) * clip_len] % 256)
        # every pixel of frame t carries the index of its source frame
        torch.testing.assert_close(x[0, 0, :, 0, 0].long(), expected.long())
    return views


@pytest.mark.parametrize('rel', [
    LEAVES[0], 'configs/acl_mtl/acl-mtl_tiny-slowonly_1500it_synthetic-'
    '20shot.py'
])
def test_unlabeled_pipeline_after_decode(rel):
    cfg = load(rel)
    pipeline = cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline
    views = _views_after_decode(pipeline, ('weak', 'long'))
    order = ['weak', 'strong'] + list(
        cfg.model.mtl.get('long_views', MTL_DEFAULTS['long_views']))
    assert sorted(views) == sorted(order)
    assert views['strong'].shape == views['weak'].shape


def test_labeled_pipeline_after_decode():
    """The paper leaves' labeled clips: the student's short clip
    (``default``, sampled like the FixMatch config's labeled clip) and the
    long clips of the calibration, from one decode."""
    cfg = load(LEAVES[0])
    base = load(LEAVES[0].replace('acl_mtl/acl-mtl_', 'fixmatch/fixmatch_'))
    pipeline = cfg.train_dataloader.dataset.dataset.pipeline
    views = _views_after_decode(pipeline, ('default', 'long'), label=3)
    assert sorted(views) == sorted(['default', *cfg.model.mtl.long_views])
    short = base.train_dataloader.dataset.dataset.pipeline[1]
    assert {k: pipeline[1][k] for k in ('clip_len', 'frame_interval')} == \
        {k: short[k] for k in ('clip_len', 'frame_interval')}


VIT = ('configs/acl_mtl/acl-mtl_timesformer-divst-in21k-pre_8xb8-mu1-'
       '8x8x1-15k_ucf101-split1-10pc.py')


def test_vit_leaf_is_the_timesformer_fixmatch_config_plus_acl_mtl():
    cfg = load(VIT)
    base = load('configs/students/fixmatch_timesformer-divst-in21k-pre_'
                '8xb8-mu1-8x8x1-15k_ucf101-split1-10pc.py')
    assert cfg.model.type == 'ACLMTLRecognizer'
    assert cfg.model.student == base.model.student
    assert cfg.model.student.backbone.type == 'TimeSformer'
    assert cfg.model.mtl.tokens == 'clip'
    assert cfg.param_scheduler == base.param_scheduler
    assert cfg.model.acl.weight.warmup == base.warmup_iters
    # every clip has the frame count of the time embedding
    sampler = cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline[1]
    assert sampler.clip_len == base.model.student.backbone.num_frames


def test_vit_leaf_model_trains_a_step_with_clip_tokens():
    """The leaf's model with the TimeSformer shrunk (2 layers, 32 px):
    one training step, with ACL and the clip-token calibration active."""
    import copy
    import sys
    sys.path.insert(0, osp.join(PROJECT_ROOT, 'tests', 'test_acl_mtl'))
    try:
        from acl_mtl_utils import acl_batches
    finally:
        sys.path.pop(0)
    from mmengine.optim import build_optim_wrapper

    from mmssar.registry import MODELS
    model_cfg = copy.deepcopy(load(VIT).model)
    model_cfg.student.backbone.update(
        img_size=32, embed_dims=32, num_heads=2, num_transformer_layers=2,
        pretrained=None)
    model_cfg.student.cls_head.update(in_channels=32, num_classes=3)
    model_cfg.acl.bank.size = 16
    model_cfg.acl.reliability.update(min_samples=4, interval=1)
    model_cfg.acl.weight.warmup = 0
    model_cfg.mtl.weight.warmup = 0
    model_cfg.mtl.calibration.update(embed_channels=16, num_heads=2)
    model_cfg.semi_train_cfg.threshold = 0.0
    with DefaultScope.overwrite_default_scope('mmssar'):
        torch.manual_seed(0)
        model = MODELS.build(model_cfg)
        model.sync_teacher()
        optim = build_optim_wrapper(
            model, dict(optimizer=dict(type='SGD', lr=0.01)))
        sup, unsup = acl_batches(long_views=('long', 'long_video'),
                                 sup_long_views=('long', 'long_video'))
        before = {k: v.clone() for k, v in
                  model.calibration.state_dict().items()}
        for _ in range(2):
            logs = model.train_step((sup, unsup), optim)
    for key in ('loss_acl', 'loss_mtl_calib', 'loss_mtl_align'):
        assert torch.isfinite(logs[key]), key
    assert logs['loss_mtl_calib'] > 0
    after = model.calibration.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_short_clip_controls_match_the_tiny_config():
    """labeled-only / full supervision on the tiny ACL+MTL config's clips:
    same labeled and val pipelines, model and schedule; only the labeled
    list differs for the full row."""
    tiny = load('configs/acl_mtl/acl-mtl_tiny-slowonly_1500it_synthetic-'
                '20shot.py')
    lab = load('configs/acl_mtl/labeled-only_tiny-slowonly_1500it_'
               'synthetic-20shot-short-clips.py')
    full = load('configs/acl_mtl/full-supervised_tiny-slowonly_1500it_'
                'synthetic-short-clips.py')
    for cfg in (lab, full):
        assert cfg.val_dataloader == tiny.val_dataloader
        assert cfg.train_dataloader.dataset.dataset.pipeline == \
            tiny.train_dataloader.dataset.dataset.pipeline
        assert cfg.model == tiny.model.student
        assert cfg.param_scheduler == tiny.param_scheduler
        assert cfg.train_cfg.max_iters == tiny.train_cfg.max_iters
    assert lab.train_dataloader.dataset.dataset.ann_file == \
        tiny.train_dataloader.dataset.dataset.ann_file
    assert full.train_dataloader.dataset.dataset.ann_file == full.ann_file_train
    assert tiny.val_dataloader.dataset.pipeline[1].type == 'SampleFrames'


CALIBRATED = ('configs/acl_mtl/acl-mtl_tiny-slowonly-calibrated-pl_1500it_'
              'synthetic-20shot.py')


def test_calibrated_pl_config_adds_a_labeled_long_view_only():
    cfg = load(CALIBRATED)
    base = load('configs/acl_mtl/acl-mtl_tiny-slowonly_1500it_synthetic-'
                '20shot.py')
    assert cfg.model.mtl.pop('calib_on') == 'labeled'
    assert cfg.model.mtl.pop('pseudo_labels') == 'calibrated'
    assert cfg.model == base.model
    assert cfg.train_cfg == base.train_cfg
    assert cfg.val_dataloader == base.val_dataloader
    pipeline = cfg.train_dataloader.dataset.dataset.pipeline
    views = _views_after_decode(pipeline, ('default', 'long'), label=3)
    assert sorted(views) == ['default', 'long']
    # the labeled short clip is sampled like the base's labeled clip
    short = base.train_dataloader.dataset.dataset.pipeline[1]
    assert {k: pipeline[1][k] for k in ('clip_len', 'frame_interval')} == \
        {k: short[k] for k in ('clip_len', 'frame_interval')}
