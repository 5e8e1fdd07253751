"""SCDNetPretrainer: reference loss (queue and in-batch negatives), EMA,
queues, collapse monitors, input formats, checkpoint compatibility with
RecognizerGCN and with checkpoints of the former queue class."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample
from mmengine.registry import DefaultScope

from mmssar.models.selfsup import (SCDNetPretrainer, effective_rank,
                                   embedding_std, info_nce_in_batch,
                                   info_nce_with_queue, partner_retrieval)
from mmssar.registry import MODELS

N, M, T, V, C = 4, 2, 16, 25, 3
BACKBONE = dict(
    type='SCDNetEncoder',
    num_frames=T,
    base_channels=4,
    d_model=16,
    num_heads=2,
    dropout=0.0)


def _model(**kwargs):
    torch.manual_seed(0)
    cfg = dict(
        type='SCDNetPretrainer',
        backbone=BACKBONE,
        proj_dim=8,
        queue_size=12,
        temperature=0.2,
        momentum=0.9)
    cfg.update(kwargs)
    with DefaultScope.overwrite_default_scope('mmssar'):
        return MODELS.build(cfg)


def _views(seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(N, M, T, V, C, generator=g),
            torch.randn(N, M, T, V, C, generator=g))


def _reference_info_nce(q, k, queue, tau):
    """-log(exp(q.k/tau) / (exp(q.k/tau) + sum_n exp(q.n/tau))), mean."""
    losses = []
    for i in range(q.shape[0]):
        pos = torch.exp(torch.dot(q[i], k[i]) / tau)
        neg = sum(torch.exp(torch.dot(q[i], n) / tau) for n in queue)
        losses.append(-torch.log(pos / (pos + neg)))
    return torch.stack(losses).mean()


def _reference_embeddings(ref, xq, xk):
    """Query embeddings, EMA step, key embeddings, as the paper orders
    them, computed on an untouched copy of the model."""

    def embed(bb, proj, x):
        vt, vs = bb.forward_clues(x)
        return [F.normalize(z, dim=1) for z in proj(vt, vs)]

    qt, qs, qi = embed(ref.backbone, ref.projector, xq)
    with torch.no_grad():
        for pq, pk in zip(
                list(ref.backbone.parameters()) +
                list(ref.projector.parameters()),
                list(ref.key_backbone.parameters()) +
                list(ref.key_projector.parameters())):
            pk.copy_(0.9 * pk + 0.1 * pq)
        kt, ks, ki = embed(ref.key_backbone, ref.key_projector, xk)
    return qt, qs, qi, kt, ks, ki


def _reference_in_batch(q, keys, tau, offset=0):
    """-log(exp(q_i.k_{o+i}/tau) / sum_j exp(q_i.k_j/tau)), mean over i."""
    losses = []
    for i in range(q.shape[0]):
        e = torch.stack([torch.exp(torch.dot(q[i], k) / tau) for k in keys])
        losses.append(-torch.log(e[offset + i] / e.sum()))
    return torch.stack(losses).mean()


def test_info_nce_matches_explicit_formula():
    g = torch.Generator().manual_seed(3)
    q = F.normalize(torch.randn(5, 8, generator=g), dim=1)
    k = F.normalize(torch.randn(5, 8, generator=g), dim=1)
    queue = F.normalize(torch.randn(7, 8, generator=g), dim=1)
    loss, logits = info_nce_with_queue(q, k, queue, 0.2)
    assert logits.shape == (5, 8)
    torch.testing.assert_close(logits[:, 0], (q * k).sum(1) / 0.2)
    torch.testing.assert_close(loss, _reference_info_nce(q, k, queue, 0.2))


def test_loss_equals_four_cross_level_terms():
    model = _model()
    ref = copy.deepcopy(model)
    xq, xk = _views()
    losses = model(dict(query=xq, key=xk), mode='loss')
    assert {k for k in losses if k.startswith('loss')} == {
        'loss_ti', 'loss_si', 'loss_it', 'loss_is'
    }

    qt, qs, qi, kt, ks, ki = _reference_embeddings(ref, xq, xk)
    tau = 0.2
    expected = {
        'loss_ti': _reference_info_nce(qt, ki, ref.i_queue.features, tau),
        'loss_si': _reference_info_nce(qs, ki, ref.i_queue.features, tau),
        'loss_it': _reference_info_nce(qi, kt, ref.t_queue.features, tau),
        'loss_is': _reference_info_nce(qi, ks, ref.s_queue.features, tau),
    }
    for name, value in expected.items():
        torch.testing.assert_close(losses[name], value, rtol=1e-4, atol=1e-5)
    # keys were enqueued into their own level's queue after the loss
    torch.testing.assert_close(model.t_queue.features[:N], kt)
    torch.testing.assert_close(model.s_queue.features[:N], ks)
    torch.testing.assert_close(model.i_queue.features[:N], ki)
    torch.testing.assert_close(model.i_queue.features[N:],
                               ref.i_queue.features[N:])


def test_in_batch_info_nce_matches_explicit_formula():
    g = torch.Generator().manual_seed(4)
    q = F.normalize(torch.randn(3, 8, generator=g), dim=1)
    keys = F.normalize(torch.randn(7, 8, generator=g), dim=1)
    for offset in (0, 2, 4):
        loss, logits, target = info_nce_in_batch(q, keys, 0.2, offset)
        assert logits.shape == (3, 7)
        assert target.tolist() == [offset, offset + 1, offset + 2]
        torch.testing.assert_close(
            loss, _reference_in_batch(q, keys, 0.2, offset))
    # diagonal target: a query equal to its own key beats the others
    loss_aligned, *_ = info_nce_in_batch(keys[:3], keys, 0.2)
    loss_shifted, *_ = info_nce_in_batch(keys[1:4], keys, 0.2)
    assert loss_aligned < loss_shifted
    with pytest.raises(ValueError, match='partners'):
        info_nce_in_batch(q, keys, 0.2, offset=5)


def test_batch_negatives_loss_and_no_queue():
    model = _model(negatives='batch')
    assert not any('queue' in name for name, _ in model.named_buffers())
    ref = copy.deepcopy(model)
    xq, xk = _views()
    losses = model(dict(query=xq, key=xk), mode='loss')
    qt, qs, qi, kt, ks, ki = _reference_embeddings(ref, xq, xk)
    expected = {
        'loss_ti': _reference_in_batch(qt, ki, 0.2),
        'loss_si': _reference_in_batch(qs, ki, 0.2),
        'loss_it': _reference_in_batch(qi, kt, 0.2),
        'loss_is': _reference_in_batch(qi, ks, 0.2),
    }
    assert {k for k in losses if 'loss' in k} == set(expected)
    for name, value in expected.items():
        torch.testing.assert_close(losses[name], value, rtol=1e-4, atol=1e-5)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.backbone.parameters())
    with pytest.raises(ValueError, match='negatives'):
        _model(negatives='memory')


@pytest.mark.parametrize('negatives', ['queue', 'batch'])
def test_collapse_monitors_are_logged_not_summed(negatives):
    model = _model(negatives=negatives)
    ref = copy.deepcopy(model)
    xq, xk = _views()
    samples = [ActionDataSample() for _ in range(N)]
    wrapper = __import__('mmengine.optim', fromlist=['OptimWrapper'])
    log_vars = model.train_step(
        dict(inputs=dict(query=xq, key=xk), data_samples=samples),
        wrapper.OptimWrapper(torch.optim.SGD(
            [p for p in model.parameters() if p.requires_grad], lr=0.0)))
    _, _, qi, _, _, ki = _reference_embeddings(ref, xq, xk)
    torch.testing.assert_close(log_vars['emb_std'], qi.std(0).mean())
    torch.testing.assert_close(log_vars['emb_erank'], effective_rank(qi))
    torch.testing.assert_close(log_vars['partner_top1'],
                               partner_retrieval(qi, ki))
    # monitors are not part of the optimised loss
    loss_terms = sum(v for k, v in log_vars.items() if k.startswith('loss_'))
    torch.testing.assert_close(log_vars['loss'], loss_terms)


def test_collapse_metrics_separate_collapsed_from_spread():
    g = torch.Generator().manual_seed(0)
    spread = F.normalize(torch.randn(512, 16, generator=g), dim=1)
    one = F.normalize(torch.randn(1, 16, generator=g), dim=1)
    collapsed = one.repeat(512, 1)
    # uniform on the sphere: per-dimension std 1/sqrt(D)
    assert abs(embedding_std(spread).item() - 16**-0.5) < 0.01
    assert embedding_std(collapsed).item() < 1e-6
    assert effective_rank(spread).item() > 14  # close to D = 16
    assert effective_rank(collapsed).item() == 0
    # nearly collapsed: all but one direction squashed
    squashed = F.normalize(one + 1e-3 * torch.randn(512, 16, generator=g),
                           dim=1)
    assert embedding_std(squashed).item() < 0.01
    # retrieval: perfect on identical views, chance (1/N) when collapsed
    assert partner_retrieval(spread, spread).item() == 1.0
    assert partner_retrieval(collapsed, collapsed).item() == 1 / 512
    noisy = F.normalize(spread + 0.1 * torch.randn(512, 16, generator=g),
                        dim=1)
    assert partner_retrieval(spread, noisy).item() > 0.5


def test_one_optimisation_step():
    model = _model()
    key_params = list(model.key_backbone.parameters()) + list(
        model.key_projector.parameters())
    assert all(not p.requires_grad for p in key_params)
    # make query and key differ so the EMA is visible
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(0.01)
    q0 = [p.detach().clone() for p in model.backbone.parameters()]
    k0 = [p.detach().clone() for p in model.key_backbone.parameters()]
    queues0 = [
        q.features.clone()
        for q in (model.t_queue, model.s_queue, model.i_queue)
    ]
    optim = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1)

    xq, xk = _views()
    losses = model(dict(query=xq, key=xk), mode='loss')
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert torch.isfinite(total)
    optim.zero_grad()
    total.backward()
    assert all(p.grad is None for p in key_params)
    grads = [p.grad for p in model.backbone.parameters()]
    assert sum(g is not None and g.abs().sum() > 0 for g in grads) > 0
    optim.step()

    # EMA happened in the forward with the pre-step query weights
    for pq, pk0, pk in zip(q0, k0, model.key_backbone.parameters()):
        torch.testing.assert_close(pk, 0.9 * pk0 + 0.1 * pq)
    for queue, old in zip((model.t_queue, model.s_queue, model.i_queue),
                          queues0):
        assert int(queue.ptr) == N
        assert not torch.equal(queue.features[:N], old[:N])
        torch.testing.assert_close(queue.features[:N].norm(dim=1),
                                   torch.ones(N))
    # query weights moved by the optimiser
    assert any(not torch.equal(a, b)
               for a, b in zip(q0, model.backbone.parameters()))


def test_input_formats_are_equivalent():
    model = _model()
    xq, xk = _views()
    formats = [
        dict(query=xq, key=xk),
        dict(query=list(xq[:, None]), key=list(xk[:, None])),  # pseudo
        dict(query=xq[:, None], key=xk[:, None]),  # num_clips = 1
        torch.stack([xq, xk], dim=1),
    ]
    for inputs in formats:
        q, k = model.split_views(inputs)
        torch.testing.assert_close(q, xq)
        torch.testing.assert_close(k, xk)
    with pytest.raises(KeyError, match='key'):
        model.split_views(dict(query=xq))
    with pytest.raises(ValueError, match='views on dim 1'):
        model.split_views(torch.randn(N, 3, M, T, V, C))


def test_train_step_with_data_preprocessor_and_feature_modes():
    model = _model()
    optim_wrapper = __import__('mmengine.optim', fromlist=['OptimWrapper'])
    wrapper = optim_wrapper.OptimWrapper(
        torch.optim.SGD(
            [p for p in model.parameters() if p.requires_grad], lr=0.01))
    xq, xk = _views()
    samples = [ActionDataSample() for _ in range(N)]
    data = dict(
        inputs=dict(query=list(xq[:, None]), key=list(xk[:, None])),
        data_samples=samples)
    log_vars = model.train_step(data, wrapper)
    assert 'loss' in log_vars and 'acc_si' in log_vars
    assert int(model.i_queue.ptr) == N
    model.eval()
    feats = model(xq, mode='tensor')
    assert feats.shape == (N, 32)
    out = model(xq, samples, mode='predict')
    assert out[0].pred_feat.shape == (32, )


def test_state_dict_round_trip_and_backbone_transfer():
    model = _model()
    xq, xk = _views()
    model(dict(query=xq, key=xk), mode='loss')
    state = model.state_dict()
    fresh = _model()
    fresh.load_state_dict(state)
    for name in ('t_queue', 's_queue', 'i_queue'):
        torch.testing.assert_close(
            getattr(fresh, name).features, getattr(model, name).features)
        assert int(getattr(fresh, name).ptr) == N

    # the query encoder loads into a RecognizerGCN backbone by key name
    with DefaultScope.overwrite_default_scope('mmssar'):
        recognizer = MODELS.build(
            dict(
                type='RecognizerGCN',
                backbone=BACKBONE,
                cls_head=dict(type='GCNHead', num_classes=3, in_channels=32)))
    msg = recognizer.load_state_dict(state, strict=False)
    assert set(msg.missing_keys) == {'cls_head.fc.weight', 'cls_head.fc.bias'}
    torch.testing.assert_close(recognizer.backbone.embed_t[0].weight,
                               model.backbone.embed_t[0].weight)


def test_checkpoint_of_the_former_queue_class_loads():
    """Before the queues became FeatureBanks they were saved as
    ``*_queue.queue`` and ``*_queue.ptr`` (no ``num_valid``)."""
    model = _model()
    xq, xk = _views()
    model(dict(query=xq, key=xk), mode='loss')
    legacy = dict()
    for key, value in model.state_dict().items():
        if key.endswith('_queue.num_valid'):
            continue
        legacy[key.replace('_queue.features', '_queue.queue')] = value
    assert 'i_queue.queue' in legacy
    from mmengine.runner.checkpoint import load_state_dict
    for load in (
            lambda m, s: m.load_state_dict(s),  # strict
            # what resume and load_from use
            lambda m, s: load_state_dict(m, s, strict=True)):
        fresh = _model()
        load(fresh, dict(legacy))
        for name in ('t_queue', 's_queue', 'i_queue'):
            torch.testing.assert_close(
                getattr(fresh, name).features, getattr(model, name).features)
            assert int(getattr(fresh, name).ptr) == N
            assert getattr(fresh, name).is_full


def test_multiview_pose_pipeline_feeds_the_pretrainer():
    """PoseDataset-style sample -> official pre-training views -> batch."""
    from mmcv.transforms import Compose
    from mmengine.dataset import pseudo_collate

    import mmssar.datasets  # noqa: F401  (registers the transforms)

    view = [
        dict(type='SCDTemporalCropResize', clip_len=T, min_crop_len=T),
        dict(type='SCDRandomRotate'),
        dict(type='SCDJointSwapFlip'),
        dict(type='SCDRandomShear'),
        dict(type='SCDStructuralJointMask'),
        dict(type='SCDTemporalBlockMask', block_len=4, num_masked_blocks=1),
        dict(type='FormatGCNInput', num_person=M),
        dict(type='PackActionInputs'),
    ]
    with DefaultScope.overwrite_default_scope('mmssar'):
        pipeline = Compose([
            dict(type='SCDPreNormalize'),
            dict(type='MultiView', views=dict(query=view, key=view)),
        ])
    g = torch.Generator().manual_seed(0)
    batch = []
    for i in range(N):
        frames = 20 + 10 * i
        kp = torch.randn(M, frames, V, C, generator=g).numpy()
        batch.append(
            pipeline(dict(keypoint=kp, total_frames=frames, label=i % 2)))
    assert batch[0]['inputs']['query'].shape == (1, M, T, V, C)
    data = pseudo_collate(batch)
    model = _model()
    log_vars = model.train_step(
        data,
        __import__('mmengine.optim', fromlist=['OptimWrapper']).OptimWrapper(
            torch.optim.SGD(
                [p for p in model.parameters() if p.requires_grad],
                lr=0.01)))
    assert torch.isfinite(log_vars['loss'])
