"""TimeBalance configs: every chain parses, stages in the method's order,
the recipe's facts, and the distillation overrides reach their keys."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmssar.utils.chain import load_chain

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CHAINS = sorted(glob.glob(osp.join(ROOT, 'configs', 'timebalance', '*',
                                   '*_chain_*.py')))
ORDER = ['pretrain_inv', 'pretrain_dist', 'pretrain_all', 'finetune_inv',
         'finetune_dist', 'similarity', 'distil']


def test_every_setting_has_a_chain():
    names = {osp.basename(c) for c in CHAINS}
    for pc in (1, 5, 10, 20, 50):
        assert f'timebalance_chain_ucf101-split1-{pc}pc.py' in names
    for pc in (40, 50, 60):
        assert f'timebalance_chain_hmdb51-split1-{pc}pc.py' in names
    assert 'timebalance-cpu_chain_20shot_synthetic.py' in names


@pytest.mark.parametrize('chain', CHAINS, ids=osp.basename)
def test_chain_stages_and_overrides(chain):
    stages = {s.name: s for s in load_chain(chain)}
    assert list(stages) == ORDER
    for mode, name in (('invariant', 'pretrain_inv'),
                       ('distinctive', 'pretrain_dist'),
                       ('all', 'pretrain_all')):
        assert stages[name].cfg_options['model.mode'] == mode
    for teacher in ('inv', 'dist'):
        init = stages[f'finetune_{teacher}'].init_from
        assert (init.stage, init.prefix) == (f'pretrain_{teacher}',
                                             'backbone.')
    assert stages['distil'].init_from.stage == 'pretrain_all'
    assert '{checkpoint:finetune_dist}' in stages['similarity'].command

    distil = Config.fromfile(stages['distil'].config)
    opts = {k: v.replace('{work_dir:similarity}', 'W') if isinstance(v, str)
            else v for k, v in stages['distil'].cfg_options.items()}
    distil.merge_from_dict(opts)
    assert distil.model.teachers.inv.checkpoint == \
        '{checkpoint:finetune_inv}'
    for loader in (distil.train_dataloader,
                   distil.train_cfg.unlabeled_dataloader):
        first = loader.dataset.dataset.pipeline[0]
        assert first.type == 'LoadTemporalSimilarity'
        assert first.score_file == 'W/scores.json'
    assert distil.train_cfg.unlabeled_includes_labeled is False
    assert distil.model.semi_train_cfg.labeled_distill_weight == 50
    assert distil.model.semi_train_cfg.unsup_weight == 100


@pytest.mark.parametrize('ds,classes', [('ucf101', 101), ('hmdb51', 51)])
def test_paper_recipe(ds, classes):
    d = osp.join(ROOT, 'configs', 'timebalance', ds)
    pre = Config.fromfile(glob.glob(f'{d}/timebalance_pretrain_*.py')[0])
    assert pre.model.backbone.depth == 50 and pre.model.temperature == 0.1
    assert pre.model.neck.in_channels == 2048
    assert (pre.optim_wrapper.optimizer.lr,
            pre.optim_wrapper.optimizer.weight_decay) == (5e-3, 1e-9)
    sampler = pre.train_dataloader.dataset.pipeline[1]
    assert (sampler.clip_len, sampler.stride) == (16, 4)
    assert pre.train_dataloader.batch_size * 8 == 40
    fine = Config.fromfile(glob.glob(f'{d}/timebalance_finetune_*.py')[0])
    assert fine.model.cls_head.num_classes == classes
    assert fine.optim_wrapper.optimizer.lr == 1e-4
    clip = fine.train_dataloader.dataset.pipeline[1]
    assert (clip.clip_len, clip.frame_interval) == (8, 2)
    assert fine.model.backbone.pretrained is None  # no ImageNet
    dist = Config.fromfile(glob.glob(f'{d}/timebalance_distil_*.py')[0])
    assert dist.model.student.cls_head.num_classes == classes
    assert dist.optim_wrapper.optimizer.lr == 1e-4
