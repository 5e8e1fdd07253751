"""SCDNetEncoder: shapes, token-order invariance and RecognizerGCN usage."""
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import DefaultScope

from mmssar.models.backbones import SCDNetEncoder, SCDNetProjector
from mmssar.models.backbones.ctrgcn_blocks import build_graph
from mmssar.registry import MODELS

TINY = dict(base_channels=8, d_model=32, num_heads=4)
# A 20-joint chain-and-branches layout (Kinect v1 order, as NW-UCLA).
UCLA_LIKE = dict(
    num_node=20,
    inward=[(0, 1), (1, 2), (2, 3), (4, 2), (5, 4), (6, 5), (7, 6), (8, 2),
            (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13), (15, 14),
            (16, 0), (17, 16), (18, 17), (19, 18)],
    center=1)


def test_forward_shapes_ntu():
    torch.manual_seed(0)
    model = SCDNetEncoder(
        graph_cfg=dict(layout='nturgb+d', mode='spatial'), **TINY).eval()
    x = torch.randn(2, 2, 64, 25, 3)
    out = model(x)
    assert out.shape == (2, 1, 64, 1, 1)
    vt, vs = model.forward_clues(x)
    assert vt.shape == vs.shape == (2, 32)
    # Token widths: M*V*C' frame tokens and T*C' joint tokens.
    assert model.embed_t[0].in_features == 2 * 25 * 8
    assert model.embed_s[0].in_features == 64 * 8
    torch.testing.assert_close(out.flatten(1), torch.cat([vt, vs], 1))


def test_forward_shapes_one_person_20_joints():
    model = SCDNetEncoder(
        graph_cfg=dict(layout=UCLA_LIKE, mode='spatial'),
        num_person=1,
        num_frames=32,
        out_layout='flat',
        **TINY)
    out = model(torch.randn(2, 1, 32, 20, 3))
    assert out.shape == (2, 64)


def test_named_mmssar_layout_nw_ucla():
    model = SCDNetEncoder(
        graph_cfg=dict(layout='nw-ucla', mode='spatial'),
        num_person=1,
        num_frames=16,
        out_layout='flat',
        **TINY)
    assert model.num_joints == 20
    assert model(torch.randn(2, 1, 16, 20, 3)).shape == (2, 64)


def test_2d_input_channels():
    model = SCDNetEncoder(
        graph_cfg=dict(layout='coco', mode='spatial'),
        in_channels=2,
        num_person=1,
        num_frames=16,
        **TINY)
    assert model(torch.randn(3, 1, 16, 17, 2)).shape == (3, 1, 64, 1, 1)


def test_bad_input_shape_is_reported():
    model = SCDNetEncoder(**TINY)
    with pytest.raises(ValueError, match='num_frames'):
        model(torch.randn(2, 2, 32, 25, 3))


def test_official_token_widths_and_size():
    """Default (official) configuration: 3200-wide frame tokens, 4096-wide
    joint tokens, ~74.4M parameters (74.7M with the 60-class fc)."""
    model = SCDNetEncoder()
    assert model.embed_t[0].in_features == 3200
    assert model.embed_s[0].in_features == 4096
    assert model.feat_dim == 4096
    n_params = sum(p.numel() for p in model.parameters())
    assert 74.0e6 < n_params + 4096 * 60 + 60 < 75.0e6


def test_agcn_layout_differs_from_mmaction_at_hands():
    agcn = build_graph(dict(layout='nturgb+d_agcn', mode='spatial'))
    mma = build_graph(dict(layout='nturgb+d', mode='spatial'))
    assert agcn.A.shape == mma.A.shape == (3, 25, 25)
    assert (21, 22) in agcn.inward and (21, 7) in mma.inward
    assert (21, 7) not in agcn.inward


def test_no_positional_encoding_token_permutation_invariance():
    """Permuting frame (or joint) tokens does not change the pooled clue."""
    torch.manual_seed(0)
    model = SCDNetEncoder(**TINY).eval()
    tokens = torch.randn(2, 64, 32)
    perm = torch.randperm(64)
    with torch.no_grad():
        a = model.transformer_t(tokens).amax(1)
        b = model.transformer_t(tokens[:, perm]).amax(1)
    torch.testing.assert_close(a, b)


def test_frozen_encoder_stays_in_eval_without_grads():
    model = SCDNetEncoder(frozen=True, num_frames=16, **TINY)
    model.train()
    assert not model.training and not model.gcn_t.data_bn.training
    assert all(not p.requires_grad for p in model.parameters())
    x = torch.randn(2, 2, 16, 25, 3)
    torch.testing.assert_close(model(x), model(x))  # no dropout


def test_projector_shapes():
    proj = SCDNetProjector(in_dim=32, out_dim=8)
    zt, zs, zi = proj(torch.randn(4, 32), torch.randn(4, 32))
    assert zt.shape == zs.shape == zi.shape == (4, 8)
    assert proj.i_proj[0].in_features == 64


def test_as_recognizer_gcn_backbone():
    torch.manual_seed(0)
    cfg = dict(
        type='RecognizerGCN',
        backbone=dict(
            type='SCDNetEncoder',
            graph_cfg=dict(layout='nturgb+d', mode='spatial'),
            num_frames=16,
            **TINY),
        cls_head=dict(type='GCNHead', num_classes=5, in_channels=64))
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(cfg)
    model.init_weights()
    # RecognizerGCN input: (N, num_clips, M, T, V, C).
    inputs = torch.randn(3, 1, 2, 16, 25, 3)
    samples = [ActionDataSample().set_gt_label(i % 5) for i in range(3)]
    feats = model(inputs, mode='tensor')
    assert feats.shape == (3, 1, 64, 1, 1)
    logits, _ = model.extract_feat(inputs, stage='head')
    assert logits.shape == (3, 5)
    losses = model(inputs, samples, mode='loss')
    assert torch.isfinite(losses['loss_cls'])
    losses['loss_cls'].backward()
    assert model.backbone.embed_s[0].weight.grad is not None
    preds = model(inputs, samples, mode='predict')
    assert preds[0].pred_score.shape == (5, )
