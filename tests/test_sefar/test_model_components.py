"""MC-dropout weighter, Tube-TokenMix, sine ramp, element backbone, fusion
head."""
import math

import pytest
import torch
from mmengine.registry import DefaultScope
from torch import nn

from mmssar.models.backbones import ElementGroupBackbone
from mmssar.models.heads import SeFARFusionHead
from mmssar.models.task_modules import (MCDropoutWeighter, SineRampWeight,
                                        TubeTokenMix)
from mmssar.models.task_modules.mc_dropout_weighter import mc_dropout_output
from mmssar.models.utils.recognizer_io import GroupOutput
from mmssar.registry import MODELS


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


# ------------------------------------------------------------ weighter
@pytest.mark.parametrize('conf,sigma,expect', [
    (1.0, 0.0, 1.0),
    (0.9, 0.01, 0.8597),  # the brief's 0.86
    (1.0, 0.1, 0.2449),   # the brief's "0.25": the formula gives 0.245
    (1.0, 0.05, 0.4621),
    (0.5, 0.0, 0.5110),
    (0.01, 0.0, 0.3068),
])
def test_regulation_values(conf, sigma, expect):
    w = MCDropoutWeighter().regulation(torch.tensor([conf]),
                                       torch.tensor([sigma]))
    assert w.item() == pytest.approx(expect, abs=1e-4)


def test_regulation_is_monotone():
    w = MCDropoutWeighter()
    c = torch.linspace(0.01, 1, 50)
    s = torch.linspace(0, 0.5, 50)
    assert (w.regulation(c, torch.zeros(50)).diff() > 0).all()
    assert (w.regulation(torch.ones(50), s).diff() < 0).all()


def test_weights_from_passes_use_the_chosen_class_std():
    # 3 passes, 1 sample, 3 classes; chosen class 0
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.6, 0.1, 0.3]])
    logits = probs.log()[None]  # (M=1, T=3, K)
    w = MCDropoutWeighter()
    mean, conf, sigma = w.statistics(logits)
    assert conf.item() == pytest.approx(0.6, abs=1e-6)
    assert sigma.item() == pytest.approx(probs[:, 0].std().item(), abs=1e-6)
    assert w.from_passes(logits).item() == pytest.approx(
        w.regulation(torch.tensor([0.6]), probs[:, 0].std()[None]).item())


class _Step:

    def __init__(self, teachers):
        self.teachers = teachers


def test_weighter_reads_sample_major_passes_from_the_step():
    passes = torch.randn(4, 10, 5)  # (M, T, K)
    out = GroupOutput(passes.softmax(-1).mean(1).log(), torch.zeros(4, 0),
                      passes.reshape(40, 5), torch.zeros(4, 0))
    w = MCDropoutWeighter()
    got = w(torch.zeros(4, 5), _Step(dict(teacher=dict(weak=out))))
    assert torch.allclose(got, w.from_passes(passes))
    with pytest.raises(KeyError, match="view 'weak'"):
        w(torch.zeros(4, 5), _Step(dict(teacher=dict(strong=out))))


class _Head(nn.Module):

    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(0.5)
        self.fc_cls = nn.Linear(6, 3)

    def forward(self, x):
        return self.fc_cls(self.dropout(x))


class _DropoutNet(nn.Module):
    """A recognizer-like net whose only randomness is its head dropout."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(6, 6)
        self.cls_head = _Head()

    def extract_feat(self, x, stage='head', **kwargs):
        feats = self.backbone(x)
        return (self.cls_head(feats) if stage == 'head' else feats), {}


def test_mc_dropout_output_layout_and_determinism():
    net = _DropoutNet().eval()
    x = torch.randn(4, 6)
    torch.manual_seed(3)
    a = mc_dropout_output(net, x, 10)
    torch.manual_seed(3)
    b = mc_dropout_output(net, x, 10)
    assert a.clip_logits.shape == (40, 3)
    assert torch.equal(a.clip_logits, b.clip_logits)
    passes = a.clip_logits.view(4, 10, 3)
    assert passes.std(dim=1).sum() > 0  # dropout active
    assert torch.allclose(a.logits.softmax(-1),
                          passes.softmax(-1).mean(1), atol=1e-6)
    assert not net.training and not net.cls_head.dropout.training


# --------------------------------------------------------- token mix
def test_tube_mask_has_floor_lambda_tokens_shared_by_all_frames():
    mix = TubeTokenMix(patch_size=4)
    x = torch.arange(2).float().view(2, 1, 1, 1, 1, 1).expand(
        2, 1, 3, 5, 16, 16).contiguous()
    out = mix(x, perm=torch.tensor([1, 0]), lam=0.43)
    assert int(out.mask.sum()) == int(0.43 * 16)
    assert out.lam == int(0.43 * 16) / 16
    first = out.inputs[0]  # sample 0, own pixels are 0, partner's 1
    tube = first[0, 0, 0]
    for t in range(5):
        for c in range(3):
            assert torch.equal(first[0, c, t], tube)
    own = (tube == 0).float()
    assert own.mean().item() == pytest.approx(out.lam)
    assert torch.equal(
        own, out.mask.repeat_interleave(4, 0).repeat_interleave(4, 1))


@pytest.mark.parametrize('lam,which', [(1.0, 0), (0.0, 1)])
def test_tube_mix_extremes(lam, which):
    x = torch.randn(2, 3, 4, 8, 8)
    perm = torch.tensor([1, 0])
    out = TubeTokenMix(patch_size=4)(x, perm=perm, lam=lam)
    assert torch.equal(out.inputs, x if which == 0 else x[perm])


def test_lambda_distribution_is_beta_10_10():
    torch.manual_seed(0)
    lams = torch.tensor([TubeTokenMix().sample_lambda() for _ in range(2000)])
    assert lams.mean().item() == pytest.approx(0.5, abs=0.01)
    # Var Beta(10, 10) = 1 / (4 * 21)
    assert lams.var().item() == pytest.approx(1 / 84, rel=0.15)


def test_tube_mix_refuses_unaligned_frames():
    with pytest.raises(ValueError, match='divisible by 16'):
        TubeTokenMix()(torch.zeros(2, 3, 4, 20, 20))


# ------------------------------------------------------------- ramp
def test_sine_ramp_matches_sefar_epoch_values():
    ramp = SineRampWeight(warmup=5, rampup=25, offset=1, by_epoch=True)
    assert ramp(4) == 0.0
    assert ramp(5) == pytest.approx(0.0628, abs=1e-4)
    assert ramp(10) == pytest.approx(math.sin(math.pi / 2 * 6 / 25))
    assert ramp(29) == pytest.approx(1.0)
    assert ramp(100) == pytest.approx(1.0)


# ------------------------------------------------ backbone and head
TINY_R3D = dict(
    type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8,
    lateral=False, conv1_kernel=(3, 7, 7), conv1_stride_t=1,
    pool1_stride_t=1, inflate=(1, 1, 1, 1), norm_eval=False)


class _Record(nn.Module):

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append(x)
        return x


def test_element_backbone_feeds_each_group_to_the_shared_backbone():
    MODELS.register_module('_SefarRecord', module=_Record, force=True)
    bb = ElementGroupBackbone(backbone=dict(type='_SefarRecord'))
    x = torch.arange(8).float().view(1, 1, 8, 1, 1).expand(2, 3, 8, 4, 4)
    outs = bb(x)
    assert [o[0, 0, :, 0, 0].tolist() for o in outs] == [[3, 7], [1, 5],
                                                         [0, 2, 4, 6]]
    with pytest.raises(ValueError, match='ElementGroupSample'):
        bb(torch.zeros(2, 3, 6, 4, 4))


def test_element_backbone_runs_a_cnn_on_short_elements():
    bb = ElementGroupBackbone(backbone=TINY_R3D)
    outs = bb(torch.randn(2, 3, 8, 32, 32))
    assert [o.shape[2] for o in outs] == [2, 2, 4]


def test_element_backbone_gives_timesformer_one_time_embedding_per_element():
    bb = ElementGroupBackbone(backbone=dict(
        type='TimeSformer', num_frames=8, img_size=32, patch_size=16,
        embed_dims=24, num_heads=2, num_transformer_layers=1))
    assert not hasattr(bb.backbone, 'time_embed')
    assert [tuple(p.shape) for p in bb.time_embeds] == [(1, 2, 24),
                                                        (1, 2, 24),
                                                        (1, 4, 24)]
    x = torch.randn(2, 3, 8, 32, 32)
    outs = bb(x)
    assert [tuple(o.shape) for o in outs] == [(2, 24)] * 3
    # element 1's embedding changes element 1's feature only
    with torch.no_grad():
        bb.time_embeds[1].add_(torch.randn(1, 2, 24))
    outs2 = bb(x)
    assert torch.allclose(outs[0], outs2[0]) and torch.allclose(
        outs[2], outs2[2])
    assert not torch.allclose(outs[1], outs2[1])
    assert bb.backbone.num_frames == 8  # restored after the pass
    keys = set(bb.state_dict())
    assert 'time_embeds.0' in keys and 'backbone.time_embed' not in keys


def test_fusion_head_shapes_and_concat_order():
    head = SeFARFusionHead(num_classes=5, in_channels=16, fusion_dim=8)
    head.init_weights()
    assert head.fuse[0].in_features == (3 + 3) * 8
    assert SeFARFusionHead(5, 16, num_elements=4,
                           fusion_dim=256).fuse[0].in_features == 2560
    feats = [torch.randn(2, 16, 2, 3, 3), torch.randn(2, 16, 2, 3, 3),
             torch.randn(2, 16, 4, 3, 3)]
    head.eval()
    out = head(feats)
    assert out.shape == (2, 5)
    pooled = [f.flatten(2).mean(2) for f in feats]
    pairs = [head.pairwise(torch.cat([pooled[j], pooled[k]], 1))
             for j, k in ((0, 1), (0, 2), (1, 2))]
    h = head.fuse(torch.cat(pairs + [head.unary(p) for p in pooled], 1))
    assert torch.allclose(out, head.fc_cls(h), atol=1e-6)
    # (B, C) features (a CLS token) are used as they are
    assert head(pooled).shape == (2, 5)
    with pytest.raises(ValueError, match='one feature per element'):
        head(feats[:2])


def test_fusion_head_dropout_is_the_only_randomness():
    head = SeFARFusionHead(num_classes=5, in_channels=16)
    feats = [torch.randn(4, 16) for _ in range(3)]
    head.train()
    a, b = head(feats), head(feats)
    assert not torch.allclose(a, b)
    head.eval()
    assert torch.equal(head(feats), head(feats))
