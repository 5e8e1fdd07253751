"""The one set of CPU skeleton configs (configs/quickstart, listed in
mmssar.utils.experiment.SKELETON_CONFIGS): each row builds, the rows of
a data set are one experiment (same data, model, schedule and test), and the
JHMDB 2-D pipelines produce what the ST-GCN takes."""
import os.path as osp

import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS
from mmssar.utils.experiment import SKELETON_CONFIGS, SKELETON_INPUTS


def _cfg(project_root, path):
    return Config.fromfile(osp.join(project_root, path))


@pytest.mark.parametrize('dataset', sorted(SKELETON_CONFIGS))
def test_rows_are_one_experiment(project_root, dataset):
    rows = {m: _cfg(project_root, p)
            for m, p in SKELETON_CONFIGS[dataset].items()}
    assert set(rows) == {'labeled_only', 'fixmatch', 'meanteacher',
                         'flexmatch', 'freematch', 'fixmatch_da',
                         'fixmatch_ema_teacher', 'self_training',
                         'labeled_only_x2', 'full'}
    lo, fm, mt, full = (rows[k] for k in ('labeled_only', 'fixmatch',
                                          'meanteacher', 'full'))
    assert fm.model.type == 'FixMatchRecognizer'
    assert mt.model.type == 'MeanTeacherRecognizer'
    assert fm.model.student == mt.model.student == lo.model == full.model
    for variant in ('flexmatch', 'freematch', 'fixmatch_da',
                    'fixmatch_ema_teacher', 'self_training'):
        # the FixMatch row but for the pseudo-label rule
        assert rows[variant].model.student == fm.model.student
        assert rows[variant].train_cfg == fm.train_cfg
    # self-training: FixMatch's pseudo-labels from a frozen model whose
    # checkpoint the benchmark passes (the labeled-only row's), FixMatch's
    # EMA teacher kept for validation
    st = rows['self_training'].model
    assert st.semi_train_cfg.pseudo_label_source == 'labeled'
    assert st.teachers.labeled == dict(type='FrozenTeacher', checkpoint=None)
    assert st.teachers.teacher == fm.model.teacher
    assert {k: v for k, v in st.semi_train_cfg.items()
            if k != 'pseudo_label_source'} == fm.model.semi_train_cfg
    # its control continues the labeled-only row with the same config
    assert SKELETON_CONFIGS[dataset]['labeled_only_x2'] == \
        SKELETON_CONFIGS[dataset]['labeled_only']
    for method, (source, keys) in SKELETON_INPUTS.items():
        assert source in rows and method in rows
        assert 'load_from' in keys
    for cfg in rows.values():
        assert cfg.train_cfg.max_iters == 1500
        assert cfg.val_dataloader == lo.val_dataloader
        assert cfg.param_scheduler == lo.param_scheduler
        assert cfg.optim_wrapper == lo.optim_wrapper
    labeled = lo.train_dataloader.dataset.dataset
    assert fm.train_dataloader.dataset.dataset == labeled
    assert labeled.ann_file.endswith('_10pc_labeled.pkl')
    assert full.train_dataloader.dataset.dataset.split == lo.train_split
    assert fm.train_cfg.unlabeled_dataloader.dataset.dataset.ann_file \
        .endswith('_10pc_unlabeled.pkl')
    assert 'ConsistencyLoss' == mt.model.semi_train_cfg.loss.type
    assert 'threshold' not in mt.model.semi_train_cfg
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(fm.model)
    assert model.num_classes == lo.num_classes


def test_jhmdb_pipelines_feed_the_stgcn(project_root):
    cfg = _cfg(project_root, SKELETON_CONFIGS['jhmdb']['fixmatch'])
    rng = np.random.default_rng(0)
    sample = dict(keypoint=rng.normal(size=(1, 25, 15, 2)).astype(np.float32),
                  keypoint_score=np.ones((1, 25, 15), np.float32),
                  total_frames=25, label=3, start_index=0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        labeled = Compose(cfg.train_dataloader.dataset.dataset.pipeline)
        unlabeled = Compose(
            cfg.train_cfg.unlabeled_dataloader.dataset.dataset.pipeline)
        val = Compose(cfg.val_dataloader.dataset.pipeline)
        model = MODELS.build(cfg.model)
    x = labeled(dict(sample))['inputs']
    assert tuple(x.shape) == (1, 1, 32, 15, 3)
    assert np.all(np.asarray(x[..., 2]) == 1)  # the score channel
    views = unlabeled(dict(sample))['inputs']
    assert set(views) == {'weak', 'strong'}
    assert tuple(val(dict(sample))['inputs'].shape) == (1, 1, 32, 15, 3)
    feats = model.student(x[None].float(), mode='tensor')
    assert feats.shape[-1] == 15  # joints
    assert tuple(model.student.cls_head(feats).shape) == (1, 14)
