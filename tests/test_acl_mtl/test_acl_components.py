"""ACL / MTL components: prototype confidence, GMM reliability, reliable
SupCon, cross-scale calibration, multi-scale clip sampling."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmengine.registry import DefaultScope

from mmssar.datasets.transforms import (MultiScaleSampleFrames, MultiView,
                                        SelectClip)
from mmssar.models.heads import CrossScaleCalibration
from mmssar.models.losses import ReliableSupConLoss
from mmssar.models.memories import ClassPrototypes
from mmssar.models.task_modules import GMMReliability, PrototypeConfidence


# ------------------------------------------------------ prototype confidence
def _protos():
    p = ClassPrototypes(3, 2, momentum=0.5)
    p.update(torch.tensor([[1., 0.], [0., 1.]]), torch.tensor([0, 1]))
    return p  # class 2 has no prototype


def test_prototype_confidence_cosine_and_probability():
    protos = _protos()
    feats = torch.tensor([[1., 1.], [2., 0.], [0., -3.]])
    labels = torch.tensor([0, 1, 2])
    conf, cls = PrototypeConfidence('cosine')(protos, feats, labels)
    torch.testing.assert_close(conf, torch.tensor([2**-0.5, 0., 0.]))
    assert cls.tolist() == [0, 1, 2]
    conf, _ = PrototypeConfidence('probability', temperature=0.5)(
        protos, feats, labels)
    sims = F.normalize(feats, dim=1) @ torch.eye(2)
    probs = (sims / 0.5).softmax(1)
    torch.testing.assert_close(conf, torch.stack(
        [probs[0, 0], probs[1, 1], torch.tensor(0.)]))


def test_prototype_confidence_nearest_prototype_skips_missing_classes():
    conf, cls = PrototypeConfidence('cosine', labels='prototype')(
        _protos(), torch.tensor([[-1., -0.1], [0.2, 1.]]))
    # row 0 is far from both prototypes; class 2 (no prototype, cosine 0)
    # must still not win
    assert cls.tolist() == [1, 1]
    assert conf[0] < 0
    with pytest.raises(ValueError, match='labels'):
        PrototypeConfidence()(_protos(), torch.zeros(2, 2))


# ------------------------------------------------------------------ GMM
def _mixture(n=3000, seed=0):
    g = torch.Generator().manual_seed(seed)
    low = 0.2 + 0.05 * torch.randn(int(0.3 * n), generator=g)
    high = 0.8 + 0.1 * torch.randn(n - len(low), generator=g)
    return torch.cat([high, low])[torch.randperm(n, generator=g)]


def test_gmm_recovers_a_known_mixture_and_posterior_is_bayes():
    gmm = GMMReliability(max_iters=200, tol=1e-8)
    gmm.fit(_mixture())
    assert bool(gmm.fitted)
    torch.testing.assert_close(gmm.means.float(), torch.tensor([0.2, 0.8]),
                               atol=0.02, rtol=0)
    torch.testing.assert_close(gmm.variances.sqrt().float(),
                               torch.tensor([0.05, 0.1]), atol=0.01, rtol=0)
    torch.testing.assert_close(gmm.weights.float(), torch.tensor([0.3, 0.7]),
                               atol=0.03, rtol=0)
    x = torch.tensor([0.1, 0.35, 0.5, 0.7])
    dens = [w * torch.distributions.Normal(m, v.sqrt()).log_prob(x.double())
            .exp() for m, v, w in zip(gmm.means, gmm.variances, gmm.weights)]
    ref = (dens[1] / (dens[0] + dens[1])).float()
    torch.testing.assert_close(gmm(x), ref, atol=1e-5, rtol=0)
    assert gmm(x)[0] < 0.01 and gmm(x)[-1] > 0.99


def test_gmm_degenerate_inputs_give_the_fallback():
    gmm = GMMReliability(fallback=0.25, min_samples=4)
    x = torch.tensor([0.1, 0.9])
    gmm.fit(torch.full((50, ), 0.7))  # all equal
    assert not bool(gmm.fitted)
    torch.testing.assert_close(gmm(x), torch.full((2, ), 0.25))
    gmm.fit(torch.tensor([0.1, 0.9, 0.5]))  # too few
    assert not bool(gmm.fitted)
    gmm.fit(torch.empty(0))  # empty bank
    assert not bool(gmm.fitted)
    torch.testing.assert_close(gmm(x), torch.full((2, ), 0.25))
    gmm.fit(torch.tensor([0.1, 0.1, 0.9, 0.9, 0.1, 0.9]))  # two values
    assert bool(gmm.fitted)
    assert gmm(x)[0] < 0.5 < gmm(x)[1]


def test_gmm_refits_every_interval_and_round_trips():
    gmm = GMMReliability(interval=3)
    a, b = _mixture(300, 0), _mixture(300, 1) * 0.5
    assert gmm.step(a)
    first = gmm.means.clone()
    assert not gmm.step(b) and not gmm.step(b)
    torch.testing.assert_close(gmm.means, first)  # not due: kept
    assert gmm.step(b)
    assert not torch.allclose(gmm.means, first)
    other = GMMReliability(interval=3)
    other.load_state_dict(gmm.state_dict())
    x = torch.linspace(0, 1, 11)
    torch.testing.assert_close(other(x), gmm(x))
    assert int(other.num_steps) == 4


def test_gmm_monotone_tail():
    # a narrow high component: far above it the wide low one would win
    gmm = GMMReliability(monotone=False)
    with torch.no_grad():
        gmm.means.copy_(torch.tensor([0.4, 0.8]))
        gmm.variances.copy_(torch.tensor([0.2**2, 0.02**2]))
        gmm.fitted.fill_(True)
    x = torch.tensor([0.8, 1.2])
    assert gmm(x)[1] < gmm(x)[0]
    gmm.monotone = True
    assert gmm(x)[1] >= gmm(x)[0]


# --------------------------------------------------------- reliable SupCon
def _supcon_reference(q, ql, bank, bl, br, qw, t, pos_thr, neg_thr, soft):
    total, wsum = 0.0, 0.0
    qn, bn = F.normalize(q, dim=1), F.normalize(bank, dim=1)
    for i in range(len(q)):
        pos, den = [], []
        for j in range(len(bank)):
            s = float(qn[i] @ bn[j]) / t
            w = float(br[j]) if soft else 1.0
            if bl[j] == ql[i] and br[j] >= pos_thr:
                pos.append((s, w))
                den.append((s, w))
            elif bl[j] != ql[i] and br[j] >= neg_thr:
                den.append((s, w))
        if not pos or qw[i] == 0:
            continue
        log_den = math.log(sum(w * math.exp(s) for s, w in den))
        li = -sum(w * (s - log_den) for s, w in pos) / sum(w for _, w in pos)
        total += float(qw[i]) * li
        wsum += float(qw[i])
    return total / wsum


@pytest.mark.parametrize('soft', [False, True])
def test_reliable_supcon_matches_hand_computation(soft):
    g = torch.Generator().manual_seed(0)
    q = torch.randn(4, 5, generator=g, dtype=torch.float64)
    bank = torch.randn(9, 5, generator=g, dtype=torch.float64)
    ql = torch.tensor([0, 1, 2, 1])
    bl = torch.tensor([0, 0, 1, 1, 2, 2, 0, 1, 2])
    br = torch.tensor([0.9, 0.2, 0.8, 0.6, 0.1, 0.95, 0.7, 0.3, 0.55],
                      dtype=torch.float64)
    qw = torch.tensor([1.0, 0.5, 0.0, 1.0], dtype=torch.float64)
    loss_fn = ReliableSupConLoss(temperature=0.2, pos_threshold=0.5,
                                 neg_threshold=0.25,
                                 selection='soft' if soft else 'hard')
    loss = loss_fn(q, ql, bank, bl, br, qw)
    ref = _supcon_reference(q, ql, bank, bl, br, qw, 0.2, 0.5, 0.25, soft)
    assert loss.item() == pytest.approx(ref, rel=1e-9)


def test_reliable_supcon_ignores_unreliable_entries_and_has_safe_empty_case():
    g = torch.Generator().manual_seed(1)
    q = torch.randn(2, 4, generator=g, requires_grad=True)
    bank = torch.randn(4, 4, generator=g)
    ql, bl = torch.tensor([0, 1]), torch.tensor([0, 1, 0, 1])
    br = torch.tensor([0.9, 0.9, 0.1, 0.1])
    fn = ReliableSupConLoss(pos_threshold=0.5, neg_threshold=0.5)
    base = fn(q, ql, bank, bl, br)
    moved = bank.clone()
    moved[2:] = torch.randn(2, 4, generator=g)  # unreliable: unselected
    assert fn(q, ql, moved, bl, br).item() == pytest.approx(base.item())
    moved[0] = torch.randn(4, generator=g)  # a reliable positive
    assert fn(q, ql, moved, bl, br).item() != pytest.approx(base.item())
    # no positive anywhere: zero, finite gradient
    none = fn(q, torch.tensor([2, 2]), bank, bl, br)
    none.backward()
    assert none.item() == 0.0 and torch.isfinite(q.grad).all()
    empty = fn(q, ql, bank[:0], bl[:0], br[:0])
    assert empty.item() == 0.0


# --------------------------------------------------------- calibration
def test_calibration_starts_as_identity_and_learns():
    torch.manual_seed(0)
    cal = CrossScaleCalibration(6, token_channels=4, embed_channels=8,
                                num_heads=2)
    q, tokens = torch.randn(3, 6), torch.randn(3, 5, 4)
    out, attn, gate = cal(q, tokens)
    torch.testing.assert_close(out, q)  # zero-initialised output projection
    assert attn.shape == (3, 2, 5) and gate.shape == (3, 6)
    torch.testing.assert_close(attn.sum(-1), torch.ones(3, 2))
    out.pow(2).sum().backward()
    assert cal.out_proj.weight.grad.abs().sum() > 0


def test_calibration_mask_and_gate_variants():
    torch.manual_seed(0)
    cal = CrossScaleCalibration(4, embed_channels=4, num_heads=1,
                                gate='scalar')
    torch.nn.init.normal_(cal.out_proj.weight)
    q, tokens = torch.randn(2, 4), torch.randn(2, 3, 4)
    mask = torch.tensor([[True, True, False], [True, True, False]])
    out, attn, gate = cal(q, tokens, mask)
    assert gate.shape == (2, 1) and (attn[..., 2] < 1e-6).all()
    tokens2 = tokens.clone()
    tokens2[:, 2] = 100 * torch.randn(2, 4)  # a masked token: no effect
    torch.testing.assert_close(cal(q, tokens2, mask)[0], out)
    assert not torch.allclose(cal(q, tokens2)[0], cal(q, tokens)[0])
    ungated = CrossScaleCalibration(4, embed_channels=4, num_heads=1,
                                    gate='none')
    torch.nn.init.normal_(ungated.out_proj.weight)
    _, _, g = ungated(q, tokens)
    torch.testing.assert_close(g, torch.ones(2, 1))
    with pytest.raises(ValueError, match='tokens must be'):
        cal(q, torch.randn(2, 3, 5))


# ------------------------------------------------------- clip sampling
def test_multi_scale_sample_frames_spans():
    np.random.seed(0)
    t = MultiScaleSampleFrames(clip_len=4, frame_interval=2,
                               long_intervals=(6, 'uniform'))
    for _ in range(20):
        r = t(dict(total_frames=100, start_index=0))
        inds = r['frame_inds'].reshape(3, 4)
        assert r['num_clips'] == 3 and r['clip_len'] == 4
        assert (np.diff(inds[0]) == 2).all()
        assert (np.diff(inds[1]) == 6).all()
        centre = (inds[0, 0] + inds[0, -1]) / 2
        assert inds[1, 0] <= centre <= inds[1, -1]  # context of the clip
        bins = np.floor(inds[2] / 25)  # one frame per quarter of the video
        assert bins.tolist() == [0, 1, 2, 3]
    short = MultiScaleSampleFrames(clip_len=4, frame_interval=2,
                                   long_intervals=(8, ))
    r = short(dict(total_frames=10, start_index=1))
    assert r['frame_inds'].min() >= 1 and r['frame_inds'].max() <= 10
    test = MultiScaleSampleFrames(clip_len=4, long_intervals=(4, ),
                                  test_mode=True)
    a = test(dict(total_frames=50))['frame_inds']
    b = test(dict(total_frames=50))['frame_inds']
    assert (a == b).all()
    with pytest.raises(ValueError, match='long interval'):
        MultiScaleSampleFrames(clip_len=4, frame_interval=4,
                               long_intervals=(2, ))


def test_one_decode_gives_short_and_long_views():
    """Frames are tagged with their index: each view holds its clip."""
    with DefaultScope.overwrite_default_scope('mmssar'):
        _one_decode()


def _one_decode():
    np.random.seed(1)
    results = MultiScaleSampleFrames(clip_len=4, frame_interval=1,
                                     long_intervals=(4, ))(
                                         dict(total_frames=40, start_index=0))
    inds = results['frame_inds'].copy()
    results['imgs'] = [np.full((8, 8, 3), i, np.uint8) for i in inds]
    results.update(img_shape=(8, 8), original_shape=(8, 8), label=0)
    pack = [dict(type='FormatShape', input_format='NCTHW'),
            dict(type='PackActionInputs')]
    out = MultiView(
        shared=[dict(type='Resize', scale=(4, 4), keep_ratio=False)],
        views=dict(weak=[dict(type='SelectClip', index=0), *pack],
                   long=[dict(type='SelectClip', index=1), *pack]))(results)
    for name, idx in (('weak', 0), ('long', 1)):
        x = out['inputs'][name]
        assert x.shape == (1, 3, 4, 4, 4)
        frames = inds[idx * 4:(idx + 1) * 4]
        assert x[0, 0, :, 0, 0].tolist() == frames.tolist()
    with pytest.raises(ValueError, match='SelectClip'):
        SelectClip(2)(dict(imgs=[0] * 8, clip_len=4, num_clips=2))
