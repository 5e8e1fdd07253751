"""LTGRecognizer: losses, gradient routing, RGB-only inference and export."""
import copy
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS
from mmssar.utils.checkpoint import extract_recognizer_state

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

STUDENT = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8,
        lateral=False, conv1_kernel=(1, 7, 7), conv1_stride_t=1,
        pool1_stride_t=1, inflate=(0, 0, 1, 1), norm_eval=False),
    cls_head=dict(type='I3DHead', in_channels=64, num_classes=3,
                  dropout_ratio=0.),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           format_shape='NCTHW'))


@pytest.fixture
def model():
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        m = MODELS.build(
            dict(type='LTGRecognizer', student=copy.deepcopy(STUDENT),
                 projection_head=dict(type='ProjectionHead', in_channels=64,
                                      hidden_channels=16, out_channels=16),
                 semi_train_cfg=dict(threshold=0.0)))
    m.init_weights()
    return m


def _batch(n, views, labels=True):
    samples = []
    for i in range(n):
        s = ActionDataSample().set_gt_label(i % 3 if labels else -1)
        s.set_metainfo(dict(hidden_label=i % 3))
        samples.append(s)
    return dict(
        inputs={v: [torch.rand(1, 3, 4, 32, 32) * 255 for _ in range(n)]
                for v in views},
        data_samples=samples)


def _losses(model):
    sup = _batch(2, ('rgb', 'tg'))
    unsup = _batch(4, ('weak', 'weak_tg', 'strong', 'strong_tg'), False)
    data = model.data_preprocessor((sup, unsup), True)
    return model(**data, mode='loss')


def test_loss_terms(model):
    losses = _losses(model)
    for key in ('sup_loss_cls_rgb', 'sup_loss_cls_tg', 'unsup_loss_cls_rgb',
                'unsup_loss_cls_tg', 'loss_align', 'loss_contrast',
                'mask_ratio', 'pl_acc'):
        assert key in losses, key
    assert losses['mask_ratio'].item() == 1.0  # threshold 0 keeps all


def test_projection_heads_see_labeled_weak_and_strong(model):
    """Official LTG: each projection head (with BN) runs on the whole
    [labeled; weak; strong] last-stage feature; the loss uses labeled + weak
    rows. Projecting labeled + weak only (mmssar < 0.2) gives another loss."""
    torch.manual_seed(1)
    sup = _batch(2, ('rgb', 'tg'))
    unsup = _batch(4, ('weak', 'weak_tg', 'strong', 'strong_tg'), False)
    data = model.data_preprocessor((sup, unsup), True)
    state = copy.deepcopy(model.state_dict())
    losses = model(**data, mode='loss')
    model.load_state_dict(state)  # undo the BN statistics update
    sup_in, un = data['inputs']['sup'], data['inputs']['unsup']

    def last_stage(net, views):  # one pass, as the model does
        feat = net.backbone(torch.cat([v.flatten(0, 1) for v in views]))
        return feat.flatten(2).mean(2)

    rgb = last_stage(model.student, (sup_in['rgb'], un['weak'], un['strong']))
    tg = last_stage(model.tg_student,
                    (sup_in['tg'], un['weak_tg'], un['strong_tg']))
    full = model.contrast_loss(model.rgb_proj(rgb)[:6],
                               model.tg_proj(tg)[:6])
    partial = model.contrast_loss(model.rgb_proj(rgb[:6]),
                                  model.tg_proj(tg[:6]))
    assert not torch.allclose(full, partial, atol=1e-4)
    torch.testing.assert_close(losses['loss_contrast'], full, rtol=1e-3,
                               atol=1e-3)


def test_alignment_gradient_flows_into_rgb_only(model):
    losses = _losses(model)
    losses['loss_align'].backward()
    rgb = [p.grad for p in model.student.backbone.parameters()]
    tg = [p.grad for p in model.tg_student.backbone.parameters()]
    assert any(g is not None and g.abs().sum() > 0 for g in rgb)
    assert all(g is None or g.abs().sum() == 0 for g in tg)


def test_inference_and_export_use_the_rgb_network(model, tmp_path):
    model.eval()
    x = [torch.rand(1, 3, 4, 32, 32) * 255 for _ in range(2)]
    samples = [ActionDataSample().set_gt_label(0) for _ in range(2)]
    data = model.data_preprocessor(dict(inputs=x, data_samples=samples))
    out = model(**copy.deepcopy(data), mode='predict')

    ckpt = tmp_path / 'ltg.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    out_path = tmp_path / 'rgb.pth'
    subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'misc', 'export_checkpoint.py'), str(ckpt),
        str(out_path), '--which', 'student'
    ], check=True, capture_output=True)
    state = torch.load(out_path, weights_only=True)['state_dict']
    assert not any(k.startswith(('tg_student', 'rgb_proj')) for k in state)
    # the student's own config loads it strictly
    with DefaultScope.overwrite_default_scope('mmssar'):
        plain = MODELS.build(copy.deepcopy(STUDENT))
    plain.load_state_dict(state, strict=True)
    plain.eval()
    # validation of the LTG model == the exported RGB network alone
    got = plain(**copy.deepcopy(data), mode='predict')
    for a, b in zip(got, out):
        torch.testing.assert_close(a.pred_score, b.pred_score)
    assert extract_recognizer_state(model.state_dict(), 'student').keys() == \
        state.keys()


def test_2d_tsm_student(tmp_path):
    """LTG with a 2D student: stage features have N x segments rows."""
    student = dict(
        type='Recognizer2D',
        backbone=dict(type='ResNetTSM', depth=18, pretrained=None,
                      pretrained2d=False, num_segments=4, norm_eval=False),
        cls_head=dict(type='TSMHead', num_segments=4, num_classes=3,
                      in_channels=512, dropout_ratio=0.,
                      average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCHW'))
    with DefaultScope.overwrite_default_scope('mmssar'):
        m = MODELS.build(
            dict(type='LTGRecognizer', student=student,
                 projection_head=dict(type='ProjectionHead', in_channels=512,
                                      hidden_channels=16, out_channels=16)))
    m.init_weights()

    def batch(n, views, labels=True):
        samples = [ActionDataSample().set_gt_label(i % 3 if labels else -1)
                   for i in range(n)]
        return dict(inputs={v: [torch.rand(4, 3, 32, 32) * 255
                                for _ in range(n)] for v in views},
                    data_samples=samples)

    data = m.data_preprocessor(
        (batch(2, ('rgb', 'tg')),
         batch(3, ('weak', 'weak_tg', 'strong', 'strong_tg'), False)), True)
    losses = m(**data, mode='loss')
    assert torch.isfinite(losses['loss_contrast'])
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    m.eval()
    plain = batch(2, ('x', ))
    plain['inputs'] = plain['inputs']['x']
    out = m(**m.data_preprocessor(plain), mode='predict')
    assert len(out) == 2 and out[0].pred_score.shape == (3, )
