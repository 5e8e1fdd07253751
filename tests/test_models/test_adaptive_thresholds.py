"""FlexMatch / FreeMatch thresholds, distribution alignment and the
class-wise monitor: values on fixed tensors, state_dict round trips, and one
FixMatch step with each of them."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope
from test_semi_recognizers import batches, build, per_sample_logits

from mmssar.models.task_modules import (ClassWiseMonitor,
                                        DistributionAlignment,
                                        FlexMatchThreshold,
                                        FreeMatchThreshold)
from mmssar.registry import TASK_UTILS


def step_of(sample_idx=None, hidden=None, labels=None):
    """The parts of a SemiStep the components read."""
    unsup = {}
    if sample_idx is not None:
        unsup['sample_idx'] = torch.tensor(sample_idx)
    if hidden is not None:
        unsup['hidden_labels'] = torch.tensor(hidden)
    sup = {} if labels is None else dict(labels=torch.tensor(labels))
    return SimpleNamespace(
        batch=SimpleNamespace(unsup_meta=unsup, sup_meta=sup))


# ------------------------------------------------------------ FlexMatch
def flex(**kwargs):
    cfg = dict(type='FlexMatchThreshold', threshold=0.8, num_samples=6,
               num_classes=3)
    cfg.update(kwargs)
    return TASK_UTILS.build(cfg)


STEP1 = (torch.tensor([[.9, .05, .05], [.1, .85, .05], [.5, .3, .2],
                       [.95, .03, .02]]), [0, 1, 2, 3])


def test_flexmatch_starts_at_zero_thresholds_and_stores_confident_labels():
    thr = flex()
    assert thr.class_thresholds().tolist() == [0., 0., 0.]
    mask = thr(STEP1[0], step_of(STEP1[1]))
    assert mask.tolist() == [1., 1., 1., 1.]  # beta = 0: everything kept
    # only confident (>= 0.8) predictions are stored
    assert thr.selected_label.tolist() == [0, 1, -1, 0, -1, -1]


@pytest.mark.parametrize('warmup,mapping,expected', [
    # counts: 3 unused, class 0: 2, class 1: 1, class 2: 0
    (True, 'convex', [0.8 * 0.5, 0.8 * 0.2, 0.]),  # beta = [2/3, 1/3, 0]
    (False, 'convex', [0.8, 0.8 / 3, 0.]),  # beta = [1, 1/2, 0]
    (True, 'linear', [0.8 * 2 / 3, 0.8 / 3, 0.]),
])
def test_flexmatch_class_thresholds_after_a_known_update(
        warmup, mapping, expected):
    thr = flex(warmup=warmup, mapping=mapping)
    thr(STEP1[0], step_of(STEP1[1]))
    torch.testing.assert_close(thr.class_thresholds(),
                               torch.tensor(expected))
    values = thr.log_values()
    assert values['threshold/c0'] == pytest.approx(expected[0])
    assert values['unused_ratio'] == pytest.approx(0.5)


def test_flexmatch_second_step_uses_previous_state_then_updates():
    thr = flex()
    thr(STEP1[0], step_of(STEP1[1]))  # thresholds now [0.4, 0.16, 0]
    probs = torch.tensor([[.45, .5, .05], [.39, .3, .31], [.1, .1, .8]])
    mask = thr(probs, step_of([2, 4, 1]))
    # c1 .5 >= .16 kept; c0 .39 < .4 dropped; c2 .8 >= 0 kept
    assert mask.tolist() == [1., 0., 1.]
    # sample 1 re-labelled c2 (confident); 2 and 4 not confident
    assert thr.selected_label.tolist() == [0, 2, -1, 0, -1, -1]
    # 3 unused, c0: 2, c2: 1 -> beta [2/3, 0, 1/3]
    beta = torch.tensor([2 / 3, 0., 1 / 3])
    torch.testing.assert_close(thr.class_thresholds(),
                               0.8 * beta / (2 - beta))


def test_flexmatch_unconfident_keeps_old_label_and_last_duplicate_wins():
    thr = flex()
    thr(STEP1[0], step_of(STEP1[1]))
    probs = torch.tensor([[.4, .3, .3], [.05, .9, .05], [.05, .05, .9]])
    thr(probs, step_of([0, 5, 5]))
    assert thr.selected_label[0] == 0  # not confident: unchanged
    assert thr.selected_label[5] == 2  # seen twice: the last prediction


def test_flexmatch_state_dict_round_trip_resumes_exactly():
    gen = torch.Generator().manual_seed(0)
    batches_ = [((torch.randn(4, 3, generator=gen) * 3).softmax(-1),
                 torch.randint(0, 6, (4, ), generator=gen))
                for _ in range(6)]
    a, b = flex(), flex()
    for i, (p, idx) in enumerate(batches_):
        if i == 3:
            b.load_state_dict(a.state_dict())
        ma = a(p, step_of(idx.tolist()))
        if i >= 3:
            assert torch.equal(b(p, step_of(idx.tolist())), ma)
    assert torch.equal(a.selected_label, b.selected_label)
    assert (a.selected_label >= 0).any()
    assert set(a.state_dict()) == {'selected_label'}


def test_flexmatch_refuses_bad_input():
    with pytest.raises(ValueError, match='num_samples'):
        FlexMatchThreshold(0.9, num_samples=None, num_classes=3)
    with pytest.raises(ValueError, match='mapping'):
        FlexMatchThreshold(0.9, 6, 3, mapping='concave')
    thr = flex()
    with pytest.raises(ValueError, match='sample_idx 6 is outside'):
        thr(STEP1[0][:1], step_of([6]))
    with pytest.raises(ValueError, match='sample_idx'):
        thr(STEP1[0][:1], None)
    with pytest.raises(ValueError, match='shape'):
        thr(torch.rand(2, 4), step_of([0, 1]))


# ------------------------------------------------------------ FreeMatch
def test_freematch_ema_values_and_mask():
    thr = TASK_UTILS.build(
        dict(type='FreeMatchThreshold', momentum=0.5, num_classes=2))
    assert thr.global_threshold.item() == pytest.approx(0.5)
    probs = torch.tensor([[.9, .1], [.3, .7], [.6, .4]])
    mask = thr(probs)
    tau = 0.5 * 0.5 + 0.5 * (0.9 + 0.7 + 0.6) / 3
    assert thr.global_threshold.item() == pytest.approx(tau)
    torch.testing.assert_close(thr.class_probs, torch.tensor([.55, .45]))
    torch.testing.assert_close(thr.class_thresholds(),
                               torch.tensor([tau, tau * .45 / .55]))
    # class 0: .9 kept, .6 < tau dropped; class 1: .7 >= tau * .818 kept
    assert mask.tolist() == [1., 1., 0.]
    assert thr.log_values()['threshold'] == pytest.approx(tau)


def test_freematch_state_dict_round_trip_and_empty_batch():
    a = FreeMatchThreshold(momentum=0.9, num_classes=3)
    a(torch.tensor([[.2, .3, .5]]))
    b = FreeMatchThreshold(momentum=0.9, num_classes=3)
    b.load_state_dict(a.state_dict())
    before = a.global_threshold.clone()
    a(torch.zeros(0, 3))  # nothing to average: unchanged
    assert torch.equal(a.global_threshold, before)
    p = torch.tensor([[.1, .8, .1], [.6, .2, .2]])
    assert torch.equal(a(p), b(p))
    assert torch.equal(a.class_probs, b.class_probs)
    with pytest.raises(ValueError, match='momentum'):
        FreeMatchThreshold(momentum=1.0, num_classes=3)


# ------------------------------------------------- distribution alignment
def tv_to_uniform(p):
    return (p.mean(0) - 1 / p.shape[1]).abs().sum() / 2


def test_distribution_alignment_moves_towards_uniform():
    da = TASK_UTILS.build(
        dict(type='DistributionAlignment', num_classes=3, momentum=0.5))
    probs = torch.tensor([[.7, .2, .1], [.6, .3, .1]])
    out = da(probs)
    torch.testing.assert_close(da.p_model, torch.tensor([.65, .25, .1]))
    ref = probs / torch.tensor([.65, .25, .1])
    torch.testing.assert_close(out, ref / ref.sum(-1, keepdim=True),
                               atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out.sum(-1), torch.ones(2))
    assert tv_to_uniform(out) < tv_to_uniform(probs)
    # second batch: EMA, not overwrite
    da(torch.tensor([[.1, .1, .8]]))
    torch.testing.assert_close(da.p_model, torch.tensor([.375, .175, .45]))
    assert da.num_updates.item() == 2


def test_distribution_alignment_targets():
    fixed = DistributionAlignment(2, momentum=0.5, target=[3, 1])
    torch.testing.assert_close(fixed.p_target, torch.tensor([.75, .25]))
    out = fixed(torch.tensor([[.5, .5]]))  # p_model = [.5, .5]
    torch.testing.assert_close(out, torch.tensor([[.75, .25]]),
                               atol=1e-5, rtol=1e-5)
    labeled = DistributionAlignment(2, momentum=0.5, target='labeled')
    labeled(torch.tensor([[.5, .5]]), step_of(labels=[1, 1, 1, 0]))
    torch.testing.assert_close(labeled.p_target,
                               torch.tensor([.5 * .5 + .5 * .25,
                                             .5 * .5 + .5 * .75]))
    with pytest.raises(ValueError, match='needs the training step'):
        labeled(torch.tensor([[.5, .5]]))
    with pytest.raises(ValueError, match='non-negative'):
        DistributionAlignment(2, target=[1, -1])
    b = DistributionAlignment(2, momentum=0.5, target='labeled')
    b.load_state_dict(labeled.state_dict())
    p, s = torch.tensor([[.9, .1]]), step_of(labels=[0])
    assert torch.equal(labeled(p, s), b(p, s))


# --------------------------------------------------------------- monitor
def test_class_wise_monitor_values():
    mon = TASK_UTILS.build(
        dict(type='ClassWiseMonitor', num_classes=3,
             weighters=[dict(type='FixedThreshold', threshold=0.6)]))
    probs = torch.tensor([[.7, .2, .1], [.5, .3, .2], [.1, .8, .1],
                          [.2, .1, .7], [.65, .3, .05]])
    hidden = [0, 1, 1, 2, -1]
    w = mon(probs, step_of(hidden=hidden))
    assert w.tolist() == [1., 0., 1., 1., 1.]
    v = mon.log_values()
    assert v['threshold'] == 0.6  # the wrapped weighter's own values
    assert v['pl_share/c0'] == pytest.approx(3 / 5)
    assert v['mask_ratio/c0'] == pytest.approx(2 / 3)
    assert v['mask_ratio/c1'] == 1.0
    # hidden 1: one pseudo-labelled 0, one 1; the unknown sample is ignored
    assert v['pl_acc/c1'] == pytest.approx(0.5)
    assert v['pl_acc/c0'] == 1.0
    # kept pl 0 with a hidden label: only sample 0 (correct)
    assert v['pl_acc_kept/c0'] == 1.0
    probs2 = torch.tensor([[.9, .05, .05]])
    mon(probs2, step_of(hidden=[2]))
    v = mon.log_values()
    assert v['pl_acc_kept/c0'] == 0.0 and v['pl_acc/c2'] == 0.0
    assert 'mask_ratio/c1' not in v  # not measured in this batch


def test_class_wise_monitor_without_weighters_is_neutral():
    probs = torch.rand(4, 3).softmax(-1)
    assert ClassWiseMonitor(3)(probs).tolist() == [1.] * 4


# ------------------------------------------------------- in FixMatch
@pytest.fixture
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def indexed_batches(sample_idx):
    sup, unsup = batches(hidden=(0, 1, 2, 1))
    for s, i in zip(unsup['data_samples'], sample_idx):
        s.set_metainfo(dict(sample_idx=i))
    return sup, unsup


def weak_probs(model, data):
    with torch.no_grad():
        return per_sample_logits(model.student,
                                 data['inputs']['unsup']['weak']).softmax(-1)


def one_step(model, sample_idx=(4, 7, 1, 2)):
    model.eval()  # batch-independent logits for the hand computation
    data = model.data_preprocessor(indexed_batches(sample_idx), True)
    losses = model.loss(**data)
    assert all(torch.isfinite(v).all() for v in losses.values())
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    return data, losses


def test_fixmatch_step_with_flexmatch(mmssar_scope):
    model = build(semi_train_cfg=dict(threshold=dict(
        type='FlexMatchThreshold', threshold=0.34, num_samples=8,
        num_classes=3)))
    data, losses = one_step(model)
    probs = weak_probs(model, data)
    conf, pl = probs.max(-1)
    assert losses['mask_ratio'].item() == 1.0  # no class learned yet
    expected = torch.full((8, ), -1)
    idx = torch.tensor([4, 7, 1, 2])
    expected[idx[conf >= 0.34]] = pl[conf >= 0.34]
    assert (expected >= 0).any()
    assert torch.equal(model.weighters[0].selected_label, expected)
    assert 'threshold/c0' in losses
    # the second step thresholds with the state the first one left
    model.zero_grad()
    thresholds = model.weighters[0].class_thresholds()
    data, losses = one_step(model)
    keep = (conf >= thresholds[pl]).float()
    assert losses['mask_ratio'].item() == pytest.approx(keep.mean().item())


def test_fixmatch_step_with_freematch_and_monitor(mmssar_scope):
    model = build(semi_train_cfg=dict(threshold=dict(
        type='ClassWiseMonitor', num_classes=3,
        weighters=[dict(type='FreeMatchThreshold', momentum=0.9,
                        num_classes=3)])))
    data, losses = one_step(model)
    probs = weak_probs(model, data)
    thr = model.weighters[0].weighters[0]
    tau = 0.9 / 3 + 0.1 * probs.max(-1).values.mean()
    assert thr.global_threshold.item() == pytest.approx(tau.item())
    keep = probs.max(-1).values >= thr.class_thresholds()[probs.argmax(-1)]
    assert losses['mask_ratio'].item() == pytest.approx(
        keep.float().mean().item())
    per_class = [k for k in losses if k.startswith('pl_share/c')]
    assert per_class and sum(losses[k] for k in per_class).item() == \
        pytest.approx(1.0)
    assert 'pl_acc/c1' in losses and 'threshold/c2' in losses


def test_fixmatch_distribution_alignment_sets_targets(mmssar_scope):
    model = build(semi_train_cfg=dict(
        threshold=0.0,
        distribution_alignment=dict(type='DistributionAlignment',
                                    num_classes=3, momentum=0.5)))
    # hand logits: DA flips the second sample's target from class 0 to 1
    probs = torch.tensor([[.7, .2, .1], [.6, .3, .1]])
    pseudo = model.make_pseudo_labels(probs.log())
    assert pseudo.targets.argmax(-1).tolist() == [0, 1]
    torch.testing.assert_close(pseudo.probs.sum(-1), torch.ones(2))
    assert model.distribution_alignment.num_updates.item() == 1

    model = build(semi_train_cfg=dict(
        threshold=0.0,
        distribution_alignment=dict(type='DistributionAlignment',
                                    num_classes=3, momentum=0.5)))
    data, losses = one_step(model)
    probs = weak_probs(model, data)
    aligned = probs / probs.mean(0)  # first batch: p_model = batch mean
    with torch.no_grad():
        strong = per_sample_logits(model.student,
                                   data['inputs']['unsup']['strong'])
    torch.testing.assert_close(
        losses['unsup_loss_cls'],
        F.cross_entropy(strong, aligned.argmax(-1)))
    assert 'da_tv_distance' in losses
    # a plain recognizer checkpoint leaves DA state alone, reported as
    # nothing missing
    plain = {k[len('student.'):]: v for k, v in model.state_dict().items()
             if k.startswith('student.')}
    result = model.load_state_dict(plain, strict=False)
    assert not [k for k in result.missing_keys
                if k.startswith('distribution_alignment')]


@pytest.mark.parametrize('threshold', [
    dict(type='FlexMatchThreshold', threshold=0.34, num_samples=8,
         num_classes=3),
    dict(type='FreeMatchThreshold', momentum=0.5, num_classes=3),
])
def test_weighter_state_is_in_the_model_checkpoint(threshold, mmssar_scope):
    cfg = dict(threshold=dict(type='ClassWiseMonitor', num_classes=3,
                              weighters=[threshold]),
               distribution_alignment=dict(type='DistributionAlignment',
                                           num_classes=3, momentum=0.5))
    model = build(semi_train_cfg=cfg)
    one_step(model)
    state = model.state_dict()
    keys = {k for k in state
            if k.startswith(('weighters.', 'distribution_alignment.'))}
    assert 'distribution_alignment.p_model' in keys
    assert any(k.startswith('weighters.0.weighters.0.') for k in keys)
    resumed = build(semi_train_cfg=cfg, seed=1)
    resumed.load_state_dict(state)
    for k in keys:
        assert torch.equal(resumed.state_dict()[k], state[k]), k
    # the next step continues identically
    _, a = one_step(model, (5, 0, 3, 6))
    _, b = one_step(resumed, (5, 0, 3, 6))
    for k in a:
        torch.testing.assert_close(a[k], b[k])
    for k in keys:
        assert torch.equal(resumed.state_dict()[k], model.state_dict()[k])
