"""Transformer and efficient students (configs/students): the configs'
models, shrunk, take a real training step through the semi-supervised
engine (concatenated student forward, pseudo-labels / consistency, EMA)."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STUDENTS = osp.join(ROOT, 'configs', 'students')
TIMESFORMER = osp.join(
    STUDENTS, 'fixmatch_timesformer-divst-in21k-pre_8xb8-mu1-8x8x1-15k_'
    'ucf101-split1-10pc.py')
X3D = osp.join(STUDENTS,
               'meanteacher_x3d-m_8xb5-mu1-8x8x1-43k_ucf101-split1-10pc.py')
FRAMES, SIZE = 4, 32


def _shrink_timesformer(student):
    student.backbone.update(
        pretrained=None, num_frames=FRAMES, img_size=SIZE, patch_size=16,
        embed_dims=32, num_heads=2, num_transformer_layers=1)
    student.cls_head.in_channels = 32


def _shrink_x3d(student):
    # X3D-M's structure (SE, swish, 2.25x bottlenecks) at 1/4 width and
    # one block per stage
    student.backbone.update(gamma_w=0.25, gamma_d=0.1)
    with DefaultScope.overwrite_default_scope('mmssar'):
        backbone = MODELS.build(student.backbone)
    student.cls_head.in_channels = backbone.feat_dim


def _clips(n, seed):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 256, (1, 3, FRAMES, SIZE, SIZE), generator=gen,
                          dtype=torch.uint8) for _ in range(n)]


def _batch(num_classes, n_sup=2, n_unsup=4):
    from mmaction.structures import ActionDataSample
    sup = dict(
        inputs=_clips(n_sup, 0),
        data_samples=[
            ActionDataSample().set_gt_label(i % num_classes)
            for i in range(n_sup)
        ])
    unsup_samples = []
    for i in range(n_unsup):
        sample = ActionDataSample().set_gt_label(-1)
        sample.set_metainfo(dict(hidden_label=i % num_classes))
        unsup_samples.append(sample)
    unsup = dict(
        inputs=dict(weak=_clips(n_unsup, 1), strong=_clips(n_unsup, 2)),
        data_samples=unsup_samples)
    return sup, unsup


@pytest.mark.parametrize('path,shrink,unsup_key', [
    (TIMESFORMER, _shrink_timesformer, 'unsup_loss_cls'),
    (X3D, _shrink_x3d, 'unsup_loss_cons'),
], ids=['fixmatch-timesformer', 'meanteacher-x3d'])
def test_one_training_step(path, shrink, unsup_key):
    cfg = Config.fromfile(path)
    model_cfg = copy.deepcopy(cfg.model)
    shrink(model_cfg.student)
    if model_cfg.type == 'FixMatchRecognizer':
        model_cfg.semi_train_cfg.threshold = 0.0  # keep every pseudo-label
    else:
        model_cfg.semi_train_cfg.unsup_weight = 1.0
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(model_cfg)
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
    model.init_weights()
    model.train()
    teacher_before = copy.deepcopy(model.teacher.module.state_dict())
    student_before = copy.deepcopy(model.student.state_dict())

    log_vars = model.train_step(_batch(cfg.num_classes), optim)
    model.update_teacher()

    assert {'sup_loss_cls', unsup_key, 'mask_ratio', 'pl_acc'} <= set(
        log_vars)
    assert all(torch.isfinite(torch.as_tensor(v)).all()
               for v in log_vars.values())
    assert float(log_vars[unsup_key]) > 0  # the unlabeled term is live
    if model_cfg.type == 'FixMatchRecognizer':
        assert float(log_vars['mask_ratio']) == 1.0
    # the optimizer step moved the student, the EMA moved the teacher
    # towards it and nowhere else
    moved = [k for k, v in model.student.state_dict().items()
             if v.is_floating_point() and not torch.equal(
                 v, student_before[k])]
    assert any(k.startswith('backbone.') for k in moved)
    assert any(k.startswith('cls_head.') for k in moved)
    teacher = model.teacher.module.state_dict()
    changed = [k for k, v in teacher.items() if v.is_floating_point()
               and not torch.equal(v, teacher_before[k])]
    assert changed and set(changed) <= set(moved)

    # validation: teacher and student predictions for one clip each
    model.eval()
    sup, _ = _batch(cfg.num_classes)
    with torch.no_grad():
        out = model.test_step(sup)
    assert len(out) == 2
    for sample in out:
        assert set(sample.pred_score) == {'teacher', 'student'}
        assert sample.pred_score['teacher'].shape == (cfg.num_classes, )


@pytest.mark.parametrize('path,shrink', [(TIMESFORMER, _shrink_timesformer),
                                         (X3D, _shrink_x3d)],
                         ids=['timesformer', 'x3d'])
def test_multi_clip_pooling_and_stage_features(path, shrink):
    """Clip logits averaged per sample (several test clips) and the stage
    access of feature-based algorithms (LTG) work for these students."""
    from mmssar.models.utils.recognizer_io import (default_stage_names,
                                                   run_recognizer)
    cfg = Config.fromfile(path)
    student_cfg = copy.deepcopy(cfg.model.student)
    shrink(student_cfg)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        student = MODELS.build(student_cfg)
    student.init_weights()
    student.eval()
    clips = torch.randn(3, 2, 3, FRAMES, SIZE, SIZE)  # 3 samples x 2 clips
    stages = default_stage_names(student.backbone)
    with torch.no_grad():
        out = run_recognizer(student, dict(x=clips), stages=stages)['x']
        one = run_recognizer(student, dict(x=clips[:, 1:]))['x']
    assert out.clip_logits.shape == (6, cfg.num_classes)
    assert torch.allclose(
        out.logits, (out.clip_logits[0::2] + out.clip_logits[1::2]) / 2,
        atol=1e-6)
    assert torch.allclose(one.clip_logits, out.clip_logits[1::2], atol=1e-5)
    assert len(out.stages) == len(stages) and out.stages[-1].shape[0] == 6
    assert out.feats.shape[0] == 3
