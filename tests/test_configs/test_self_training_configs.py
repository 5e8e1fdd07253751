"""The self-training configs: a loss step takes its pseudo-labels from the
frozen teacher (not from the student), and the chains pass the labeled-only
checkpoint to both the frozen teacher and the student's start."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS
from mmssar.utils.chain import load_chain
from test_pseudo_label_configs import _batch  # noqa: I100

PROJECT_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FOLDER = osp.join(PROJECT_ROOT, 'configs', 'self_training')
CONFIGS = sorted(glob.glob(osp.join(FOLDER, 'self-training_stgcn-*.py')))
JOINTS = {'nwucla-xview': 20, 'jhmdb-split1': 15}


def _tag(path):
    tag, = (t for t in JOINTS if f'_{t}-' in path)
    return tag


def test_both_data_sets_and_a_readme():
    assert {_tag(p) for p in CONFIGS} == set(JOINTS)
    assert osp.isfile(osp.join(FOLDER, 'README.md'))


@pytest.mark.parametrize('path', CONFIGS)
def test_pseudo_labels_come_from_the_frozen_teacher(path):
    cfg = Config.fromfile(path)
    with DefaultScope.overwrite_default_scope('mmssar'):
        torch.manual_seed(0)
        model = MODELS.build(copy.deepcopy(cfg.model))
    model.sync_teacher()
    frozen = model.teachers['labeled'].module
    # the frozen model says "class 3" with certainty whatever the clip; the
    # student (random) does not
    head = frozen.cls_head.fc
    with torch.no_grad():
        head.weight.zero_()
        head.bias.fill_(-20.)
        head.bias[3] = 20.
    model.train()
    gen = torch.Generator().manual_seed(0)
    joints = JOINTS[_tag(path)]
    data = model.data_preprocessor(
        (_batch(4, gen, True, joints, label=3),
         _batch(6, gen, False, joints, label=3)),
        True)
    losses = model(**data, mode='loss')
    # every clip pseudo-labelled 3 (the hidden label) and kept
    assert losses['pl_acc'] == 1.0
    assert losses['mask_ratio'] == 1.0
    # the frozen teacher does not move with the student
    before = copy.deepcopy(frozen.state_dict())
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    model.update_teacher()
    for k, v in frozen.state_dict().items():
        assert torch.equal(v, before[k]), k


@pytest.mark.parametrize('tag', sorted(JOINTS))
def test_chain_passes_the_labeled_only_model(tag):
    chain = load_chain(osp.join(FOLDER, f'self-training_chain_{tag}-10shot.py'))
    first, second = chain
    assert first.name == 'labeled_only' and second.name == 'self_training'
    assert first.config.endswith(
        f'quickstart/labeled-only_stgcn-tiny_1500it_{tag}-10shot.py')
    assert second.init_from.stage == 'labeled_only'
    assert second.init_from.prefix == ''
    assert second.cfg_options['model.teachers.labeled.checkpoint'] == \
        '{checkpoint:labeled_only}'
