"""run_recognizer: pooled features, logits and stage outputs of stock 2D,
3D, transformer and GCN recognizers; MC-dropout passes."""
import copy

import pytest
import torch
from mmengine.registry import DefaultScope

from mmssar.models.utils.recognizer_io import (classifier_of,
                                               dataset_batches,
                                               default_stage_names,
                                               mc_dropout_logits,
                                               run_recognizer)
from mmssar.registry import MODELS

K = 3
_R3D_BACKBONE = dict(
    type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8,
    lateral=False, conv1_kernel=(1, 7, 7), conv1_stride_t=1,
    pool1_stride_t=1, inflate=(0, 0, 1, 1), norm_eval=False)

RECOGNIZERS = dict(
    tsn=(dict(
        type='Recognizer2D',
        backbone=dict(type='ResNet', depth=18, pretrained=None),
        cls_head=dict(type='TSNHead', num_classes=K, in_channels=512,
                      dropout_ratio=0.)), (3, 3, 32, 32)),
    tsm=(dict(
        type='Recognizer2D',
        backbone=dict(type='ResNetTSM', depth=18, pretrained=None,
                      pretrained2d=False, num_segments=3),
        cls_head=dict(type='TSMHead', num_segments=3, num_classes=K,
                      in_channels=512, dropout_ratio=0.)), (3, 3, 32, 32)),
    slowonly=(dict(
        type='Recognizer3D', backbone=_R3D_BACKBONE,
        cls_head=dict(type='I3DHead', in_channels=64, num_classes=K,
                      dropout_ratio=0.)), (2, 3, 4, 32, 32)),
    x3d=(dict(
        type='Recognizer3D',
        backbone=dict(type='X3D', gamma_w=1, gamma_b=1, gamma_d=0.5),
        cls_head=dict(type='X3DHead', in_channels=192, num_classes=K,
                      dropout_ratio=0., fc1_bias=False)), (1, 3, 4, 32, 32)),
    timesformer=(dict(
        type='Recognizer3D',
        backbone=dict(type='TimeSformer', num_frames=4, img_size=32,
                      patch_size=16, embed_dims=32, num_heads=2,
                      num_transformer_layers=2, pretrained=None),
        cls_head=dict(type='TimeSformerHead', num_classes=K,
                      in_channels=32)), (1, 3, 4, 32, 32)),
    stgcn=(dict(
        type='RecognizerGCN',
        backbone=dict(type='STGCN',
                      graph_cfg=dict(layout='coco', mode='stgcn_spatial'),
                      base_channels=8, num_stages=2, inflate_stages=[2],
                      down_stages=[2]),
        cls_head=dict(type='GCNHead', num_classes=K, in_channels=16)),
           (1, 2, 8, 17, 3)),
)


def build(kind, **head):
    torch.manual_seed(0)
    cfg = copy.deepcopy(RECOGNIZERS[kind][0])
    cfg['cls_head'].update(head)
    with DefaultScope.overwrite_default_scope('mmssar'):
        return MODELS.build(cfg)


def inputs(kind, n, seed):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn((n, ) + RECOGNIZERS[kind][1], generator=gen)


def manual_pool(kind, rec, x):
    """What the head pools, computed by hand from the backbone output."""
    flat = x.flatten(0, 1)
    feat = rec.backbone(flat)
    if kind in ('slowonly', 'tsm'):
        return feat.flatten(2).mean(2)  # per clip / segment
    if kind == 'tsn':
        return feat.mean((2, 3)).view(x.shape[0], -1, feat.shape[1]).mean(1)
    if kind == 'x3d':
        head = rec.cls_head
        return head.relu(head.fc1(feat.mean((2, 3, 4))))
    if kind == 'timesformer':
        return feat
    # GCN: (N, M, C, T, V) pooled, then the mean over persons
    return feat.mean((3, 4)).mean(1)


@pytest.mark.parametrize('kind', list(RECOGNIZERS))
def test_features_and_logits_match_the_stock_recognizer(kind):
    rec = build(kind)
    rec.eval()  # batch-independent outputs: concatenation must not matter
    a, b = inputs(kind, 2, 0), inputs(kind, 3, 1)
    with torch.no_grad():
        out = run_recognizer(rec, dict(a=a, b=b))
        for name, x in (('a', a), ('b', b)):
            stock, _ = rec.extract_feat(x, stage='head')
            o = out[name]
            torch.testing.assert_close(o.clip_logits, stock, atol=1e-5,
                                       rtol=1e-4)
            per = stock.view(x.shape[0], -1, K).mean(1)
            torch.testing.assert_close(o.logits, per, atol=1e-5, rtol=1e-4)
            torch.testing.assert_close(o.clip_feats,
                                       manual_pool(kind, rec, x),
                                       atol=1e-5, rtol=1e-4)
            # the features are what the classifier maps to the logits
            fc = classifier_of(rec.cls_head)
            torch.testing.assert_close(fc(o.feats), o.logits, atol=1e-5,
                                       rtol=1e-4)
            assert o.feats.shape == (x.shape[0], fc.in_features)


@pytest.mark.parametrize('kind', list(RECOGNIZERS))
def test_stage_outputs_without_touching_out_indices(kind):
    rec = build(kind)
    names = default_stage_names(rec.backbone)
    x = inputs(kind, 2, 0)
    out = run_recognizer(rec, dict(x=x), stages=names)['x']
    assert len(out.stages) == len(names)
    # the last stage is what the head receives
    with torch.no_grad():
        rec.eval()
        last = run_recognizer(rec, dict(x=x), stages=names[-1:])['x']
        head_input = rec.backbone(x.flatten(0, 1))
        if kind == 'stgcn':  # the backbone folds persons back: (N, M, ...)
            head_input = head_input.flatten(0, 1)
        # TimeSformer and X3D add a norm / conv after their last stage
        if kind not in ('timesformer', 'x3d'):
            assert torch.equal(last.stages[-1], head_input)
    # stock prediction still works (no out_indices change)
    assert rec.extract_feat(x, stage='head')[0].shape[-1] == K


def test_concat_is_one_pass_and_split_in_order():
    rec = build('slowonly')
    calls = []
    rec.backbone.register_forward_hook(lambda m, a, o: calls.append(1))
    a, b = inputs('slowonly', 2, 0), inputs('slowonly', 1, 1)
    out = run_recognizer(rec, dict(a=a, b=b))
    assert len(calls) == 1 and list(out) == ['a', 'b']
    assert out['a'].clip_logits.shape == (4, K)  # 2 samples x 2 clips
    assert out['b'].logits.shape == (1, K)
    calls.clear()
    run_recognizer(rec, dict(a=a, b=b), concat=False)
    assert len(calls) == 2


def test_mc_dropout_only_dropout_is_stochastic():
    rec = build('slowonly', dropout_ratio=0.5)
    rec.train()
    bn = rec.backbone.conv1.bn
    stats = bn.running_mean.clone()
    calls = []
    rec.backbone.register_forward_hook(lambda m, a, o: calls.append(1))
    x = inputs('slowonly', 2, 0)
    torch.manual_seed(0)
    passes = mc_dropout_logits(rec, x, 6)
    assert passes.shape == (6, 2, K)
    assert not torch.allclose(passes[0], passes[1])  # dropout active
    assert torch.equal(bn.running_mean, stats)  # BN in eval mode
    assert len(calls) == 1  # dropout only in the head: one backbone pass
    assert rec.training and rec.cls_head.dropout.training  # restored
    rec.eval()
    mc_dropout_logits(rec, x, 2)
    assert not rec.training and not rec.cls_head.dropout.training
    # same RNG, same draws: reproducible (exact resume of MC passes)
    torch.manual_seed(0)
    assert torch.equal(mc_dropout_logits(rec, x, 6), passes)


def test_mc_dropout_repeats_the_backbone_when_it_has_dropout():
    rec = build('timesformer')
    rec.backbone.drop_after_pos.p = 0.5  # a dropout inside the backbone
    calls = []
    rec.backbone.register_forward_hook(lambda m, a, o: calls.append(1))
    passes = mc_dropout_logits(rec, inputs('timesformer', 2, 0), 3)
    assert len(calls) == 3
    assert not torch.allclose(passes[0], passes[1])


def test_mc_dropout_ignores_zero_probability_dropout():
    rec = build('timesformer')  # its backbone has Dropout(p=0) layers
    assert rec.backbone.drop_after_pos.p == 0
    calls = []
    rec.backbone.register_forward_hook(lambda m, a, o: calls.append(1))
    mc_dropout_logits(rec, inputs('timesformer', 2, 0), 3)
    assert len(calls) == 1  # backbone once, only the head repeated


def test_dataset_batches_preprocess_in_order_for_inference():
    from mmaction.structures import ActionDataSample

    def sample(i):
        ds = ActionDataSample().set_gt_label(i)
        return dict(inputs=torch.full((1, 3, 2, 4, 4), float(i)),
                    data_samples=ds)

    dataset = [sample(i) for i in range(5)]
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(RECOGNIZERS['slowonly'][0])
    seen = []
    for idx, batch in dataset_batches(model, dataset, 2, indices=[4, 0, 3]):
        seen.append(idx)
        labels = [int(d.gt_label) for d in batch['data_samples']]
        assert labels == idx
        # the preprocessor ran: one float tensor, one row per sample
        assert batch['inputs'].shape[0] == len(idx)
        assert batch['inputs'][:, 0, 0, 0, 0, 0].tolist() == [
            float(i) for i in idx]
    assert seen == [[4, 0], [3]]
    assert [i for idx, _ in dataset_batches(model, dataset, 3)
            for i in idx] == list(range(5))
    with pytest.raises(ValueError, match='batch_size'):
        next(dataset_batches(model, dataset, 0))
