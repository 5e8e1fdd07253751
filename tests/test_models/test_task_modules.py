"""Thresholds, pseudo-labelers, weight schedules and pseudo-label losses."""
import math
from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub

from mmssar.models.losses import ConsistencyLoss, MaskedCrossEntropyLoss
from mmssar.models.task_modules import (FixedThreshold, PseudoLabeler,
                                        RampUpWeight)
from mmssar.registry import MODELS, TASK_UTILS


@pytest.fixture
def message_hub(monkeypatch):
    """A fresh current MessageHub; the global one is restored afterwards."""
    monkeypatch.setattr(MessageHub, '_instance_dict', OrderedDict())
    return MessageHub.get_instance('test_task_modules')


# ------------------------------------------------------------ threshold
def test_fixed_threshold_mask_is_inclusive():
    thr = TASK_UTILS.build(dict(type='FixedThreshold', threshold=0.6))
    probs = torch.tensor([[0.6, 0.4], [0.59, 0.41], [0.1, 0.9], [0.5, 0.5]])
    mask = thr(probs)
    assert mask.dtype == probs.dtype
    assert mask.tolist() == [1.0, 0.0, 1.0, 0.0]
    assert thr.log_values() == dict(threshold=0.6)


@pytest.mark.parametrize('bad', [-0.1, 1.01])
def test_fixed_threshold_range(bad):
    with pytest.raises(ValueError, match='threshold'):
        FixedThreshold(bad)


def test_threshold_extremes():
    probs = torch.rand(16, 5).softmax(-1)
    assert FixedThreshold(0.0)(probs).sum() == 16
    assert FixedThreshold(1.0)(probs).sum() == 0


# ---------------------------------------------------------- pseudo-label
def test_hard_pseudo_labels_are_one_hot_argmax():
    logits = torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]])
    targets = PseudoLabeler()(logits)
    assert targets.tolist() == [[0, 1, 0], [1, 0, 0]]
    assert targets.dtype == logits.dtype
    assert not targets.requires_grad


def test_soft_pseudo_labels_are_sharpened():
    logits = torch.randn(4, 6, requires_grad=True)
    soft = TASK_UTILS.build(
        dict(type='PseudoLabeler', hard=False, temperature=0.5))(logits)
    torch.testing.assert_close(soft, (logits.detach() / 0.5).softmax(-1))
    # sharper than T=1
    plain = PseudoLabeler(hard=False)(logits)
    assert (soft.max(-1).values >= plain.max(-1).values - 1e-6).all()
    assert not soft.requires_grad


def test_pseudo_labeler_temperature_must_be_positive():
    with pytest.raises(ValueError, match='temperature'):
        PseudoLabeler(hard=False, temperature=0)


# -------------------------------------------------------------- ramp-up
def test_ramp_up_linear_values():
    ramp = RampUpWeight(weight=2.0, warmup=10, rampup=20)
    assert [ramp(t) for t in (0, 9)] == [0.0, 0.0]
    assert ramp(10) == 0.0
    assert ramp(20) == pytest.approx(1.0)
    assert ramp(25) == pytest.approx(1.5)
    assert ramp(30) == pytest.approx(2.0)
    assert ramp(1000) == pytest.approx(2.0)


def test_ramp_up_sigmoid_shape():
    ramp = TASK_UTILS.build(
        dict(type='RampUpWeight', weight=3.0, rampup=100, shape='sigmoid'))
    for t in (0, 25, 50, 80, 100, 150):
        r = min(1.0, t / 100)
        assert ramp(t) == pytest.approx(3.0 * math.exp(-5 * (1 - r)**2))
    values = [ramp(t) for t in range(0, 101, 10)]
    assert values == sorted(values)  # monotone
    # slow start: well below the linear ramp in the first half
    assert ramp(0) == pytest.approx(3.0 * math.exp(-5))
    assert all(ramp(t) < 3.0 * t / 100 for t in range(10, 51, 5))


def test_ramp_up_step_without_rampup():
    ramp = RampUpWeight(weight=0.7, warmup=5)
    assert ramp(4) == 0.0
    assert ramp(5) == 0.7


def test_ramp_up_reads_progress_from_message_hub(message_hub):
    ramp = RampUpWeight(weight=1.0, rampup=10)
    message_hub.update_info('iter', 4)
    assert ramp() == pytest.approx(0.4)
    by_epoch = RampUpWeight(weight=1.0, rampup=4, by_epoch=True)
    message_hub.update_info('epoch', 1)
    assert by_epoch() == pytest.approx(0.25)


def test_ramp_up_rejects_unknown_shape():
    with pytest.raises(ValueError, match='cosine'):
        RampUpWeight(shape='cosine')


# --------------------------------------------------------------- losses
def test_masked_ce_normalised_by_all_and_by_kept():
    torch.manual_seed(0)
    logits = torch.randn(6, 4)
    targets = F.one_hot(torch.tensor([0, 1, 2, 3, 0, 1]), 4).float()
    mask = torch.tensor([1., 0., 1., 0., 0., 1.])
    ce = F.cross_entropy(logits, targets.argmax(-1), reduction='none')
    loss_all = MODELS.build(dict(type='MaskedCrossEntropyLoss'))(
        logits, targets, mask)
    loss_kept = MaskedCrossEntropyLoss('kept')(logits, targets, mask)
    torch.testing.assert_close(loss_all, (ce * mask).sum() / 6)
    torch.testing.assert_close(loss_kept, (ce * mask).sum() / 3)
    # nothing kept: zero, not NaN
    zero = MaskedCrossEntropyLoss('kept')(logits, targets, mask * 0)
    assert zero.item() == 0.0


def test_masked_ce_soft_targets_and_gradient():
    logits = torch.randn(3, 5, requires_grad=True)
    targets = torch.rand(3, 5).softmax(-1)
    loss = MaskedCrossEntropyLoss()(logits, targets, torch.ones(3))
    ref = -(targets * logits.log_softmax(-1)).sum(-1).mean()
    torch.testing.assert_close(loss, ref)
    loss.backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0


def test_consistency_losses():
    torch.manual_seed(1)
    s = torch.randn(4, 3)
    t = torch.randn(4, 3).softmax(-1)
    mse = MODELS.build(dict(type='ConsistencyLoss'))(s, t)
    torch.testing.assert_close(mse, ((s.softmax(-1) - t)**2).mean())
    kl = ConsistencyLoss('kl')(s, t)
    ref = (t * (t.log() - s.log_softmax(-1))).sum() / 4
    torch.testing.assert_close(kl, ref)
    # identical predictions: zero
    assert ConsistencyLoss('mse')(t.log(), t).item() == pytest.approx(0.0)


@pytest.mark.parametrize('cls,arg', [(MaskedCrossEntropyLoss, 'mean'),
                                     (ConsistencyLoss, 'l1')])
def test_losses_reject_unknown_modes(cls, arg):
    with pytest.raises(ValueError, match=arg):
        cls(arg)
