"""FixMatch / Mean Teacher recognizers around 3D, 2D (TSM) and GCN students.

Unit level: batches are made by hand and go through the model's data
preprocessor and ``forward(mode='loss')`` exactly as ``train_step`` does.
"""
import copy
from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import load_state_dict

from mmssar.models.utils.recognizer_io import recognizer_logits
from mmssar.registry import METRICS, MODELS

NUM_CLASSES = 3

STUDENTS = dict(
    r3d=dict(
        type='Recognizer3D',
        backbone=dict(
            type='ResNet3dSlowOnly',
            depth=18,
            pretrained=None,
            base_channels=8,
            lateral=False,
            conv1_kernel=(1, 7, 7),
            conv1_stride_t=1,
            pool1_stride_t=1,
            inflate=(0, 0, 1, 1),
            norm_eval=False),
        cls_head=dict(
            type='I3DHead',
            in_channels=64,
            num_classes=NUM_CLASSES,
            dropout_ratio=0.,
            average_clips='prob'),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=[127.5] * 3,
            std=[57.5] * 3,
            format_shape='NCTHW')),
    tsm=dict(
        type='Recognizer2D',
        backbone=dict(
            type='ResNetTSM',
            depth=18,
            pretrained=None,
            pretrained2d=False,
            num_segments=4),
        cls_head=dict(
            type='TSMHead',
            num_segments=4,
            num_classes=NUM_CLASSES,
            in_channels=512,
            dropout_ratio=0.,
            average_clips='prob'),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=[127.5] * 3,
            std=[57.5] * 3,
            format_shape='NCHW')),
    gcn=dict(
        type='RecognizerGCN',
        backbone=dict(
            type='STGCN',
            graph_cfg=dict(layout='coco', mode='stgcn_spatial'),
            base_channels=16,
            num_stages=2,
            inflate_stages=[2],
            down_stages=[2]),
        cls_head=dict(
            type='GCNHead', num_classes=NUM_CLASSES, in_channels=32)),
)
# per-sample input shapes as the packers produce them
SHAPES = dict(
    r3d=(1, 3, 8, 32, 32), tsm=(4, 3, 32, 32), gcn=(1, 1, 8, 17, 3))


def build(kind='r3d', algo='FixMatchRecognizer', seed=0, **kwargs):
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(type=algo, student=copy.deepcopy(STUDENTS[kind]), **kwargs))
    model.sync_teacher()
    return model


def _clip(kind, gen):
    if kind == 'gcn':
        return torch.randn(SHAPES[kind], generator=gen)
    return torch.randint(
        0, 256, SHAPES[kind], generator=gen, dtype=torch.uint8)


def batches(kind='r3d', n_sup=2, hidden=(0, 1, 2, 1), seed=0):
    """A labeled batch and an unlabeled two-view batch (lists of tensors)."""
    gen = torch.Generator().manual_seed(seed)
    sup = dict(
        inputs=[_clip(kind, gen) for _ in range(n_sup)],
        data_samples=[
            ActionDataSample().set_gt_label(i % NUM_CLASSES)
            for i in range(n_sup)
        ])
    unsup_samples = []
    for h in hidden:
        s = ActionDataSample().set_gt_label(-1)
        s.set_metainfo(dict(hidden_label=h, skipped=[]))
        unsup_samples.append(s)
    unsup = dict(
        inputs=dict(
            weak=[_clip(kind, gen) for _ in hidden],
            strong=[_clip(kind, gen) for _ in hidden]),
        data_samples=unsup_samples)
    return sup, unsup


def per_sample_logits(recognizer, x):
    logits = recognizer_logits(recognizer, x)
    return logits.view(x.shape[0], -1, logits.shape[-1]).mean(1)


def hidden_of(samples):
    return torch.tensor([s.metainfo['hidden_label'] for s in samples])


@pytest.fixture(autouse=True, scope='module')
def single_thread():
    # tiny models: intra-op threads only add synchronisation overhead, which
    # is large on a shared CPU
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def mmssar_scope():
    # as in a Runner: BaseModel builds data preprocessors from the root
    # registry, which finds mmssar types through the default scope
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


@pytest.fixture
def message_hub(monkeypatch):
    monkeypatch.setattr(MessageHub, '_instance_dict', OrderedDict())
    return MessageHub.get_instance('test_semi_recognizers')


# ------------------------------------------------------------- training
@pytest.mark.parametrize('kind', ['r3d', 'tsm', 'gcn'])
@pytest.mark.parametrize('algo,unsup_key', [
    ('FixMatchRecognizer', 'unsup_loss_cls'),
    ('MeanTeacherRecognizer', 'unsup_loss_cons'),
])
def test_loss_keys_and_gradients_reach_the_student_only(kind, algo, unsup_key):
    kwargs = dict(semi_train_cfg=dict(threshold=0.0)) \
        if algo == 'FixMatchRecognizer' else {}
    model = build(kind, algo, **kwargs)
    model.train()
    data = model.data_preprocessor(batches(kind), True)
    assert set(data['inputs']) == {'sup', 'unsup'}
    assert set(data['inputs']['unsup']) == {'weak', 'strong'}
    losses = model(**data, mode='loss')
    expected = {'sup_loss_cls', unsup_key, 'mask_ratio', 'pl_acc',
                'pl_acc_kept', 'unsup_weight', 'skipped_unlabeled'}
    if algo == 'FixMatchRecognizer':
        expected.add('threshold')
    assert expected <= set(losses), set(losses)
    assert all(torch.isfinite(v).all() for v in losses.values())
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    student_grads = [p.grad for p in model.student.parameters()
                     if p.requires_grad]
    assert all(g is not None for g in student_grads[-2:])  # the head
    assert sum(g.abs().sum() for g in student_grads if g is not None) > 0
    for p in model.teacher.parameters():
        assert not p.requires_grad and p.grad is None


@pytest.mark.parametrize('normalize', ['all', 'kept'])
def test_fixmatch_unsup_loss_matches_hand_computation(normalize):
    model = build(
        semi_train_cfg=dict(
            threshold=0.5,
            loss=dict(type='MaskedCrossEntropyLoss', normalize=normalize)))
    model.eval()  # BN on running statistics: batch-independent logits
    sup, unsup = batches(hidden=(0, 1, 2, 0, 1, 2))
    data = model.data_preprocessor((sup, unsup), True)
    views = data['inputs']['unsup']
    with torch.no_grad():
        weak = per_sample_logits(model.student, views['weak'])
        probs = weak.softmax(-1)
    conf, pl = probs.max(-1)
    # a threshold between the 3rd and 4th confidence keeps half the samples
    ranked = conf.sort().values
    assert ranked[3] - ranked[2] > 1e-5
    tau = float(ranked[2] + ranked[3]) / 2
    model.weighters[0].threshold = tau
    mask = (conf >= tau).float()
    assert mask.sum() == 3

    losses = model.loss(**data)
    strong = per_sample_logits(model.student, views['strong'])
    ce = F.cross_entropy(strong, pl, reduction='none') * mask
    ref = ce.sum() / (len(mask) if normalize == 'all' else mask.sum())
    torch.testing.assert_close(losses['unsup_loss_cls'], ref)

    hidden = hidden_of(data['data_samples']['unsup'])
    correct = (pl == hidden).float()
    torch.testing.assert_close(losses['mask_ratio'], torch.tensor(0.5))
    torch.testing.assert_close(losses['pl_acc'], correct.mean())
    torch.testing.assert_close(losses['pl_acc_kept'],
                               (correct * mask).sum() / mask.sum())
    assert losses['threshold'].item() == pytest.approx(tau)

    sup_logits = per_sample_logits(model.student, data['inputs']['sup']['default'])
    labels = torch.tensor([0, 1])
    torch.testing.assert_close(losses['sup_loss_cls'],
                               F.cross_entropy(sup_logits, labels))


def test_fixmatch_threshold_extremes():
    data_pair = batches()
    zero = build(semi_train_cfg=dict(threshold=0.0))
    zero.eval()
    data = zero.data_preprocessor(data_pair, True)
    out = zero.loss(**data)
    assert out['mask_ratio'].item() == 1.0
    with torch.no_grad():
        pl = per_sample_logits(zero.student,
                               data['inputs']['unsup']['weak']).argmax(-1)
        strong = per_sample_logits(zero.student,
                                   data['inputs']['unsup']['strong'])
    torch.testing.assert_close(out['unsup_loss_cls'],
                               F.cross_entropy(strong, pl))
    assert out['pl_acc_kept'].item() == pytest.approx(out['pl_acc'].item())

    one = build(semi_train_cfg=dict(threshold=1.0))
    one.eval()
    out = one.loss(**one.data_preprocessor(data_pair, True))
    assert out['mask_ratio'].item() == 0.0
    assert out['unsup_loss_cls'].item() == 0.0
    assert out['pl_acc_kept'].item() == 0.0


def test_fixmatch_teacher_source_uses_teacher_weak_logits():
    model = build(
        semi_train_cfg=dict(threshold=0.9, pseudo_label_source='teacher'))
    assert model.student_views == ('strong', )
    # the teacher is confident about class 2, the student is not
    with torch.no_grad():
        model.teacher.module.cls_head.fc_cls.bias.copy_(
            torch.tensor([0., 0., 50.]))
    model.eval()
    data = model.data_preprocessor(batches(hidden=(2, 2, 0, 1)), True)
    out = model.loss(**data)
    strong = per_sample_logits(model.student,
                               data['inputs']['unsup']['strong'])
    ref = F.cross_entropy(strong, torch.full((4, ), 2))
    torch.testing.assert_close(out['unsup_loss_cls'], ref)
    assert out['mask_ratio'].item() == 1.0
    assert out['pl_acc'].item() == pytest.approx(0.5)

    # the student source with the same weights gives different targets
    student_src = build(semi_train_cfg=dict(threshold=0.0))
    student_src.load_state_dict(model.state_dict())
    student_src.eval()
    assert not torch.allclose(
        student_src.loss(**data)['unsup_loss_cls'], out['unsup_loss_cls'])


def test_concat_forward_is_one_pass_with_same_result_without_bn_batches():
    pair = batches()
    losses = {}
    for concat in (True, False):
        model = build(semi_train_cfg=dict(threshold=0.0,
                                          concat_forward=concat))
        model.eval()
        losses[concat] = model.loss(**model.data_preprocessor(pair, True))
    for key in ('sup_loss_cls', 'unsup_loss_cls', 'mask_ratio', 'pl_acc'):
        torch.testing.assert_close(losses[True][key], losses[False][key])

    # in training mode BN sees labeled and unlabeled clips together only
    # with concat_forward, so the supervised loss changes
    train_losses = {}
    for concat in (True, False):
        model = build(semi_train_cfg=dict(threshold=0.0,
                                          concat_forward=concat))
        model.train()
        train_losses[concat] = model(
            **model.data_preprocessor(pair, True), mode='loss')
    assert not torch.allclose(train_losses[True]['sup_loss_cls'],
                              train_losses[False]['sup_loss_cls'])


def test_mean_teacher_consistency_matches_hand_computation():
    model = build(algo='MeanTeacherRecognizer')
    with torch.no_grad():
        for p in model.teacher.module.cls_head.parameters():
            p.add_(torch.randn_like(p))
    model.eval()
    data = model.data_preprocessor(batches(), True)
    out = model.loss(**data)
    views = data['inputs']['unsup']
    with torch.no_grad():
        t = per_sample_logits(model.teacher.module, views['weak']).softmax(-1)
    s = per_sample_logits(model.student, views['strong'])
    ref = ((s.softmax(-1) - t)**2).mean()
    torch.testing.assert_close(out['unsup_loss_cons'], ref)
    assert out['mask_ratio'].item() == 1.0
    hidden = hidden_of(data['data_samples']['unsup'])
    torch.testing.assert_close(out['pl_acc'],
                               (t.argmax(-1) == hidden).float().mean())


def test_unsup_weight_ramp_scales_the_unsupervised_loss(message_hub):
    model = build(
        semi_train_cfg=dict(
            threshold=0.0,
            unsup_weight=dict(type='RampUpWeight', weight=2.0, warmup=2,
                              rampup=4)))
    model.eval()
    data = model.data_preprocessor(batches(), True)
    message_hub.update_info('iter', 100)
    full = model.loss(**data)['unsup_loss_cls']
    assert full.item() > 0
    for it, w in ((0, 0.0), (2, 0.0), (3, 0.5), (4, 1.0), (6, 2.0)):
        message_hub.update_info('iter', it)
        out = model.loss(**data)
        assert out['unsup_weight'].item() == pytest.approx(w)
        torch.testing.assert_close(out['unsup_loss_cls'], full * w / 2.0)

    constant = build(semi_train_cfg=dict(threshold=0.0, unsup_weight=0.25))
    constant.eval()
    out = constant.loss(**data)
    torch.testing.assert_close(out['unsup_loss_cls'], full * 0.125)


@pytest.mark.parametrize('where', ['sup', 'strong'])
def test_non_finite_loss_stops_before_any_update(where):
    model = build(semi_train_cfg=dict(threshold=0.0))
    model.train()
    sup, unsup = batches()
    # float inputs so that NaN can be injected
    sup['inputs'] = [x.float() for x in sup['inputs']]
    for v in unsup['inputs']:
        unsup['inputs'][v] = [x.float() for x in unsup['inputs'][v]]
    target = sup['inputs'] if where == 'sup' else unsup['inputs']['strong']
    target[0][0, 0, 0, 0, 0] = float('nan')
    optim = OptimWrapper(torch.optim.SGD(model.student.parameters(), lr=1.))
    student = {k: v.clone() for k, v in model.student.named_parameters()}
    teacher = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    with pytest.raises(FloatingPointError, match='non-finite'):
        model.train_step((sup, unsup), optim)
    for k, v in model.student.named_parameters():
        assert torch.equal(v, student[k]), k
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, teacher[k]), k


def test_skipped_unlabeled_samples_are_counted():
    model = build(semi_train_cfg=dict(threshold=0.0))
    model.eval()
    sup, unsup = batches()
    unsup['data_samples'][1].set_metainfo(dict(skipped=['a.mp4', 'b.mp4']))
    data = model.data_preprocessor((sup, unsup), True)
    assert model.loss(**data)['skipped_unlabeled'].item() == 2
    out = model.loss(**data)
    assert out['skipped_unlabeled'].item() == 4
    assert model.num_skipped_unlabeled.item() == 4


def test_plain_batch_trains_the_student_supervised():
    model = build()
    model.train()
    sup, _ = batches()
    losses = model(**model.data_preprocessor(sup, True), mode='loss')
    assert 'loss_cls' in losses
    assert not any(k.startswith('unsup') for k in losses)


def test_missing_unlabeled_view_is_named():
    model = build()
    sup, unsup = batches()
    del unsup['inputs']['strong']
    data = model.data_preprocessor((sup, unsup), True)
    with pytest.raises(KeyError, match='strong'):
        model.loss(**data)


def test_unlabeled_batch_must_be_multi_view():
    model = build()
    sup, unsup = batches()
    unsup['inputs'] = unsup['inputs']['weak']
    with pytest.raises(TypeError, match='MultiView'):
        model.data_preprocessor((sup, unsup), True)


def test_view_augment_applies_to_its_view_only():
    calls = []

    @MODELS.register_module(name='_CountingNegate', force=True)
    class _CountingNegate(torch.nn.Module):

        def forward(self, x):
            calls.append(tuple(x.shape))
            return 255 - x

    pre = MODELS.build(
        dict(
            type='SemiDataPreprocessor',
            data_preprocessor=STUDENTS['r3d']['data_preprocessor'],
            view_augments=dict(strong=dict(type='_CountingNegate'))))
    sup, unsup = batches(hidden=(0, 1))
    unsup['inputs']['strong'] = [x.clone() for x in unsup['inputs']['weak']]
    out = pre((sup, unsup), True)
    views = out['inputs']['unsup']
    assert calls == [(2, ) + SHAPES['r3d']]
    # same normalisation as the labeled data: (x - 127.5) / 57.5
    ref = (torch.stack(unsup['inputs']['weak']).float() - 127.5) / 57.5
    torch.testing.assert_close(views['weak'], ref)
    torch.testing.assert_close(views['strong'], -ref)
    assert out['data_samples']['unsup'] is not None


@pytest.mark.parametrize('kwargs,match', [
    (dict(teacher=None, semi_test_cfg=dict(predict_on='teacher')),
     'teacher'),
    (dict(semi_test_cfg=dict(predict_on='ensemble')), 'predict_on'),
    (dict(teacher=None,
          semi_train_cfg=dict(pseudo_label_source='teacher')), 'teacher'),
    (dict(semi_train_cfg=dict(pseudo_label_source='oracle')),
     'pseudo_label_source'),
])
def test_invalid_configurations(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(**kwargs)


def test_mean_teacher_needs_a_teacher():
    with pytest.raises(ValueError, match='teacher'):
        build(algo='MeanTeacherRecognizer', teacher=None)


# ----------------------------------------------------------- prediction
def test_predict_both_feeds_acc_metric_for_teacher_and_student():
    model = build(semi_test_cfg=dict(predict_on='both'))
    with torch.no_grad():
        model.teacher.module.cls_head.fc_cls.bias.copy_(
            torch.tensor([0., 0., 50.]))
        model.student.cls_head.fc_cls.bias.copy_(torch.tensor([50., 0., 0.]))
    model.eval()
    sup, _ = batches(n_sup=4)  # labels 0 1 2 0
    data = model.data_preprocessor(sup, False)
    with torch.no_grad():  # as in ValLoop
        outputs = model(**data, mode='predict')
    score = outputs[0].pred_score
    assert set(score) == {'teacher', 'student'}
    assert score['teacher'].argmax().item() == 2
    assert score['student'].argmax().item() == 0

    metric = METRICS.build(dict(type='AccMetric'))
    metric.process(None, [o.to_dict() for o in outputs])
    res = metric.evaluate(len(outputs))
    assert res['acc/teacher_top1'] == pytest.approx(0.25)
    assert res['acc/student_top1'] == pytest.approx(0.5)


@pytest.mark.parametrize('predict_on', ['teacher', 'student'])
def test_predict_on_one_network(predict_on):
    model = build(semi_test_cfg=dict(predict_on=predict_on))
    with torch.no_grad():
        model.teacher.module.cls_head.fc_cls.bias.copy_(
            torch.tensor([0., 0., 50.]))
    model.eval()
    sup, _ = batches(n_sup=2)
    with torch.no_grad():
        outputs = model(**model.data_preprocessor(sup, False),
                        mode='predict')
    winner = outputs[0].pred_score.argmax().item()
    assert (winner == 2) == (predict_on == 'teacher')


# ----------------------------------------------------- state and teacher
def test_plain_recognizer_state_dict_fills_student_and_teacher():
    torch.manual_seed(123)
    plain = MODELS.build(copy.deepcopy(STUDENTS['r3d']))
    sd = plain.state_dict()
    assert all(k.startswith(('backbone.', 'cls_head.')) for k in sd)
    model = build()
    load_state_dict(model, copy.deepcopy(sd))
    for k, v in sd.items():
        assert torch.equal(model.student.state_dict()[k], v), k
        assert torch.equal(model.teacher.module.state_dict()[k], v), k

    # an SSL state dict is loaded as is (no remapping)
    other = build(seed=7)
    with torch.no_grad():
        other.teacher.module.cls_head.fc_cls.bias.add_(1.0)
    model.load_state_dict(other.state_dict())
    assert torch.equal(model.teacher.module.cls_head.fc_cls.bias,
                       other.teacher.module.cls_head.fc_cls.bias)
    assert not torch.equal(model.teacher.module.cls_head.fc_cls.bias,
                           model.student.cls_head.fc_cls.bias)


def test_teacher_stays_in_eval_mode_and_frozen():
    model = build(algo='MeanTeacherRecognizer')
    model.train()
    assert model.student.training
    assert not any(m.training for m in model.teacher.modules())
    assert not any(p.requires_grad for p in model.teacher.parameters())
    assert all(p.requires_grad for p in model.student.parameters())


def test_sync_and_update_teacher_semantics():
    model = build(teacher=dict(type='TeacherEMA', momentum=0.1))
    with torch.no_grad():
        for p in model.student.parameters():
            p.add_(1.0)
    model.sync_teacher()
    for k, v in model.student.state_dict().items():
        assert torch.equal(model.teacher.module.state_dict()[k], v), k
    model.update_teacher()  # first EMA step copies (MMEngine semantics)
    before = {k: v.clone() for k, v in model.teacher.module.state_dict()
              .items()}
    with torch.no_grad():
        for p in model.student.parameters():
            p.mul_(0.5)
    model.update_teacher()
    after = model.teacher.module.state_dict()
    for k, v in model.student.state_dict().items():
        if v.dtype.is_floating_point:
            torch.testing.assert_close(after[k], 0.9 * before[k] + 0.1 * v)
        else:
            assert torch.equal(after[k], v)


def test_init_weights_leaves_teacher_equal_to_student():
    model = build()
    with torch.no_grad():
        model.teacher.module.cls_head.fc_cls.weight.add_(5.0)
    model.init_weights()
    for k, v in model.student.state_dict().items():
        assert torch.equal(model.teacher.module.state_dict()[k], v), k
