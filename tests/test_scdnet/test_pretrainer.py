"""SCDNetPretrainer: reference loss, EMA, queues, input formats, checkpoint
compatibility with RecognizerGCN."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample
from mmengine.registry import DefaultScope

from mmssar.models.selfsup import SCDNetPretrainer, info_nce_with_queue
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

    # reference: query embeddings, EMA, key embeddings, old queues
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
    tau = 0.2
    expected = {
        'loss_ti': _reference_info_nce(qt, ki, ref.i_queue.queue, tau),
        'loss_si': _reference_info_nce(qs, ki, ref.i_queue.queue, tau),
        'loss_it': _reference_info_nce(qi, kt, ref.t_queue.queue, tau),
        'loss_is': _reference_info_nce(qi, ks, ref.s_queue.queue, tau),
    }
    for name, value in expected.items():
        torch.testing.assert_close(losses[name], value, rtol=1e-4, atol=1e-5)
    # keys were enqueued into their own level's queue after the loss
    torch.testing.assert_close(model.t_queue.queue[:N], kt)
    torch.testing.assert_close(model.s_queue.queue[:N], ks)
    torch.testing.assert_close(model.i_queue.queue[:N], ki)
    torch.testing.assert_close(model.i_queue.queue[N:],
                               ref.i_queue.queue[N:])


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
    queues0 = [q.queue.clone() for q in (model.t_queue, model.s_queue,
                                          model.i_queue)]
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
        assert not torch.equal(queue.queue[:N], old[:N])
        torch.testing.assert_close(queue.queue[:N].norm(dim=1),
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
            getattr(fresh, name).queue, getattr(model, name).queue)
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
