"""The FlexMatch / FreeMatch / pseudo-label diagnostics configs: they change
only the weighting of the quickstart FixMatch of their data set (NW-UCLA or
JHMDB), build, and take a loss step
whose logs carry the per-class values; FlexMatch's ``num_samples`` is the
size of the unlabeled pool of the split."""
import copy
import glob
import os.path as osp
import re

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS

PROJECT_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: the quickstart FixMatch a config varies, by the data set tag in its name
BASE = 'configs/quickstart/fixmatch_stgcn-tiny_1500it_{}-10shot.py'
TAGS = ('nwucla-xview', 'jhmdb-split1')
#: joints of the skeleton layout per data set tag
JOINTS = {'nwucla-xview': 20, 'jhmdb-split1': 15}
CONFIGS = sorted(
    osp.relpath(p, PROJECT_ROOT) for folder in (
        'flexmatch', 'freematch', 'pseudo_label_diagnostics')
    for p in glob.glob(osp.join(PROJECT_ROOT, 'configs', folder, '*.py')))
#: inner weighter type per config folder
INNER = dict(flexmatch='FlexMatchThreshold', freematch='FreeMatchThreshold',
             pseudo_label_diagnostics='FixedThreshold')
LABELS_PER_CLASS = 10  # the split of the base config


def load(rel_path):
    return Config.fromfile(osp.join(PROJECT_ROOT, rel_path))


def tag_of(path):
    tag, = (t for t in TAGS if f'_{t}-' in path)
    return tag


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def test_every_folder_has_configs():
    folders = {p.split('/')[1] for p in CONFIGS}
    assert folders == set(INNER)
    # every variant exists for both skeleton data sets
    for tag in TAGS:
        names = {osp.basename(p).replace(tag, '{}') for p in CONFIGS
                 if tag_of(p) == tag}
        others = {osp.basename(p).replace(tag_of(p), '{}') for p in CONFIGS}
        assert names == others, tag
    for folder in INNER:
        assert osp.isfile(osp.join(PROJECT_ROOT, 'configs', folder,
                                   'README.md'))


@pytest.mark.parametrize('path', CONFIGS)
def test_only_the_pseudo_label_weighting_differs(path):
    cfg, base = load(path), load(BASE.format(tag_of(path)))
    train, ref = cfg.model.semi_train_cfg, base.model.semi_train_cfg
    assert set(train) - {'distribution_alignment',
                         'pseudo_label_source'} == set(ref)
    for key in ref:
        if key != 'threshold':
            assert train[key] == ref[key], key
    # the EMA teacher's pseudo-labels instead of the student's
    assert train.get('pseudo_label_source') == (
        'teacher' if '-ema-teacher_' in path else None)
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'val_dataloader'):
        assert cfg[key] == base[key], key
    assert cfg.model.student == base.model.student
    thr = train.threshold
    assert thr.type == 'ClassWiseMonitor'
    assert thr.num_classes == cfg.num_classes
    inner, = thr.weighters
    assert inner.type == INNER[path.split('/')[1]]
    if 'threshold' in inner:
        # compared with the FixMatch row at the same tau
        assert inner.threshold == ref.threshold
    assert ('distribution_alignment' in train) == ('-da_' in path)


def test_flexmatch_num_samples_is_the_unlabeled_pool(shared_data):
    cfg = load('configs/flexmatch/'
               'flexmatch_stgcn-tiny_1500it_nwucla-xview-10shot.py')
    names = glob.glob(osp.join(shared_data, 'skeleton', 'nw_ucla', '*.json'))
    # x-view training clips: views 1 and 2
    train = [n for n in names if re.search(r'_v0[12]\.json$', n)]
    assert train
    inner, = cfg.model.semi_train_cfg.threshold.weighters
    assert inner.num_samples == len(train) - \
        LABELS_PER_CLASS * cfg.num_classes


def test_flexmatch_num_samples_is_the_unlabeled_pool_jhmdb(shared_data):
    from mmssar.datasets.skeleton_formats import convert_jhmdb
    cfg = load('configs/flexmatch/'
               'flexmatch_stgcn-tiny_1500it_jhmdb-split1-10shot.py')
    data = convert_jhmdb(osp.join(shared_data, 'skeleton', 'jhmdb_gt_pose'),
                         [1])
    inner, = cfg.model.semi_train_cfg.threshold.weighters
    assert inner.num_samples == len(data['split']['train1']) - \
        LABELS_PER_CLASS * cfg.num_classes


def _batch(n, gen, labeled, joints, label=None):
    """``n`` random skeleton clips of ``joints`` joints as a labeled batch or
    an unlabeled two-view batch; labels ``i % 10`` or all ``label``."""
    samples = []
    for i in range(n):
        y = i % 10 if label is None else label
        s = ActionDataSample().set_gt_label(y if labeled else -1)
        if not labeled:
            s.set_metainfo(dict(sample_idx=3 * i, hidden_label=y,
                                skipped=[]))
        samples.append(s)
    clips = lambda: [torch.randn(1, 1, 32, joints, 3, generator=gen)  # noqa
                     for _ in range(n)]
    if labeled:
        return dict(inputs=clips(), data_samples=samples)
    return dict(inputs=dict(weak=clips(), strong=clips()),
                data_samples=samples)


@pytest.mark.parametrize('path', CONFIGS)
def test_model_builds_and_takes_a_loss_step(path):
    cfg = load(path)
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.sync_teacher()
    model.train()
    gen = torch.Generator().manual_seed(0)
    joints = JOINTS[tag_of(path)]
    data = model.data_preprocessor(
        (_batch(4, gen, True, joints), _batch(6, gen, False, joints)), True)
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v).all() for v in losses.values())
    assert 'pl_share/c0' in losses or 'pl_share/c1' in losses
    assert any(k.startswith('pl_acc/c') for k in losses)
    assert 'threshold' in losses
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    if 'distribution_alignment' in cfg.model.semi_train_cfg:
        assert model.distribution_alignment.num_updates.item() == 1
    inner = model.weighters[0].weighters[0]
    if hasattr(inner, 'selected_label'):
        # one step: only the 6 sampled slots can have been written
        written = (inner.selected_label >= 0).nonzero().flatten()
        assert set(written.tolist()) <= {0, 3, 6, 9, 12, 15}
