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
    assert labeled == base.train_dataloader.dataset.dataset
    assert cfg.val_dataloader == base.val_dataloader
    unlabeled = cfg.train_cfg.unlabeled_dataloader.dataset.dataset
    assert unlabeled.ann_file == \
        base.train_cfg.unlabeled_dataloader.dataset.dataset.ann_file
    views = unlabeled.pipeline[-1]['views']
    assert {'weak', 'strong', *model.mtl.long_views} == set(views)


@pytest.mark.parametrize('rel', [
    LEAVES[0], 'configs/acl_mtl/acl-mtl_tiny-slowonly_1500it_synthetic-'
    '20shot.py'
])
def test_unlabeled_pipeline_after_decode(rel):
    """Frames tagged with their index go through the config's own pipeline
    (from the sampler on, the decode replaced by a lookup)."""
    cfg = load(rel)
    pipeline = cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline
    assert pipeline[0]['type'] == 'DecordInit'
    assert pipeline[2]['type'] == 'DecordDecode'
    np.random.seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        sampler = Compose(pipeline[1:2])
        rest = Compose(pipeline[3:])
    results = sampler(dict(total_frames=300, start_index=0, label=-1,
                           filename='x.mp4'))
    inds = results['frame_inds']
    results['imgs'] = [np.full((240, 320, 3), i % 256, np.uint8)
                       for i in inds]
    results.update(img_shape=(240, 320), original_shape=(240, 320),
                   modality='RGB')
    out = rest(results)
    views = out['inputs']
    names = list(views)
    clip_len = pipeline[1]['clip_len']
    order = ['weak', 'strong'] + list(
        cfg.model.mtl.get('long_views', MTL_DEFAULTS['long_views']))
    assert sorted(names) == sorted(order)
    for name in ('weak', 'long'):
        x = views[name]
        assert x.shape[:3] == (1, 3, clip_len)
        index = 0 if name == 'weak' else 1
        expected = torch.as_tensor(
            inds[index * clip_len:(index + 1) * clip_len] % 256)
        # every pixel of frame t carries the index of its source frame
        torch.testing.assert_close(x[0, 0, :, 0, 0].long(), expected.long())
    assert views['strong'].shape == views['weak'].shape
