"""InfoNCE and feature-alignment losses against explicit references."""
import math

import pytest
import torch

from mmssar.models.losses import FeatureAlignmentLoss, InfoNCELoss
from mmssar.registry import MODELS


def _ref_infonce(q, k, temperature, symmetric):
    """Loop reference: mean_i -log softmax_j(cos(q_i, k_j) / t)[i]."""
    n = q.shape[0]

    def cos(a, b):
        return float(a @ b) / (float(a.norm()) * float(b.norm()))

    def direction(a, b):
        total = 0.0
        for i in range(n):
            logits = [cos(a[i], b[j]) / temperature for j in range(n)]
            log_den = math.log(sum(math.exp(x) for x in logits))
            total += log_den - logits[i]
        return total / n

    if symmetric:
        return 0.5 * (direction(q, k) + direction(k, q))
    return direction(q, k)


@pytest.mark.parametrize('temperature', [0.5, 0.1])
@pytest.mark.parametrize('symmetric', [True, False])
def test_infonce_matches_reference(temperature, symmetric):
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(6, 5, generator=gen, dtype=torch.float64)
    k = torch.randn(6, 5, generator=gen, dtype=torch.float64)
    loss = InfoNCELoss(temperature=temperature, symmetric=symmetric)(q, k)
    ref = _ref_infonce(q, k, temperature, symmetric)
    assert loss.item() == pytest.approx(ref, rel=1e-10)


def test_infonce_properties_and_grad():
    gen = torch.Generator().manual_seed(1)
    q = torch.randn(8, 16, generator=gen, dtype=torch.float64)
    loss_fn = MODELS.build(dict(type='InfoNCELoss', loss_weight=0.5))
    assert loss_fn.temperature == 0.5 and loss_fn.symmetric
    # aligned pairs beat random pairs; scale of the embeddings is irrelevant
    k_rand = torch.randn(8, 16, generator=gen, dtype=torch.float64)
    assert loss_fn(q, 3 * q) < loss_fn(q, k_rand)
    assert loss_fn(q, 3 * q).item() == pytest.approx(
        loss_fn(q, q).item(), rel=1e-12)
    assert loss_fn(q, k_rand).item() == pytest.approx(
        0.5 * _ref_infonce(q, k_rand, 0.5, True), rel=1e-10)
    # gradients flow into both modalities
    q.requires_grad_(True)
    k = k_rand.clone().requires_grad_(True)
    loss_fn(q, k).backward()
    assert q.grad.abs().sum() > 0 and k.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='same shape'):
        loss_fn(q, k[:4])
    with pytest.raises(ValueError, match='temperature'):
        InfoNCELoss(temperature=0)


def _ref_cosine_stage(x, y):
    """1 - mean over (N, T, H, W) of the cosine along C, with loops."""
    n, c = x.shape[:2]
    xs = x.reshape(n, c, -1)
    ys = y.reshape(n, c, -1)
    total, count = 0.0, 0
    for i in range(n):
        for p in range(xs.shape[2]):
            a, b = xs[i, :, p], ys[i, :, p]
            total += float(a @ b) / (float(a.norm()) * float(b.norm()))
            count += 1
    return 1 - total / count


def _stages(gen, n=2):
    shapes = [(n, 4, 4, 6, 6), (n, 8, 2, 3, 3), (n, 16, 1, 2, 2)]
    return [torch.randn(s, generator=gen, dtype=torch.float64) for s in shapes]


def test_alignment_cosine_reference_and_zero():
    gen = torch.Generator().manual_seed(2)
    rgb, tg = _stages(gen), _stages(gen)
    loss_fn = FeatureAlignmentLoss()
    ref = sum(_ref_cosine_stage(x, y) for x, y in zip(rgb, tg))
    assert loss_fn(rgb, tg).item() == pytest.approx(ref, rel=1e-10)
    per_stage = loss_fn.stage_losses(rgb, tg)
    assert len(per_stage) == 3
    assert per_stage[1].item() == pytest.approx(
        _ref_cosine_stage(rgb[1], tg[1]), rel=1e-10)
    # identical (or positively scaled) features: zero; opposite: 2 per stage
    assert loss_fn(rgb, rgb).item() == pytest.approx(0, abs=1e-12)
    assert loss_fn(rgb, [2 * x for x in rgb]).item() == pytest.approx(
        0, abs=1e-12)
    assert loss_fn(rgb, [-x for x in rgb]).item() == pytest.approx(6)
    # a single tensor is one stage
    assert loss_fn(rgb[0], tg[0]).item() == pytest.approx(
        per_stage[0].item())


@pytest.mark.parametrize('loss_type', ['l1', 'l2'])
def test_alignment_l1_l2(loss_type):
    gen = torch.Generator().manual_seed(3)
    rgb, tg = _stages(gen), _stages(gen)
    loss_fn = FeatureAlignmentLoss(loss_type=loss_type, loss_weight=2.0)
    power = 1 if loss_type == 'l1' else 2
    ref = sum(float(((x - y).abs()**power).sum()) / x.numel()
              for x, y in zip(rgb, tg))
    assert loss_fn(rgb, tg).item() == pytest.approx(2 * ref, rel=1e-10)
    assert loss_fn(rgb, rgb).item() == 0


def test_alignment_gradient_only_into_rgb():
    gen = torch.Generator().manual_seed(4)
    rgb = [x.requires_grad_(True) for x in _stages(gen)]
    tg = [x.requires_grad_(True) for x in _stages(gen)]
    FeatureAlignmentLoss()(rgb, tg).backward()
    assert all(x.grad is not None and x.grad.abs().sum() > 0 for x in rgb)
    assert all(y.grad is None for y in tg)
    # without stop-gradient both sides learn
    for x in rgb:
        x.grad = None
    FeatureAlignmentLoss(stop_grad_target=False)(rgb, tg).backward()
    assert all(y.grad is not None and y.grad.abs().sum() > 0 for y in tg)


def test_alignment_errors():
    loss_fn = MODELS.build(dict(type='FeatureAlignmentLoss'))
    with pytest.raises(ValueError, match='stage 0 shapes'):
        loss_fn([torch.zeros(2, 3, 4)], [torch.zeros(2, 3, 5)])
    with pytest.raises(ValueError, match='stages'):
        loss_fn([torch.zeros(2, 3)], [])
    with pytest.raises(ValueError, match='loss_type'):
        FeatureAlignmentLoss(loss_type='kl')
