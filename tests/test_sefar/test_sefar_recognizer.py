"""SeFARRecognizer on the template with a tiny element-group student."""
import copy
import math
from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

from mmssar.models.utils.recognizer_io import recognizer_logits
from mmssar.registry import MODELS

K = 3
STUDENT = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ElementGroupBackbone',
        backbone=dict(
            type='ResNet3dSlowOnly', depth=18, pretrained=None,
            base_channels=8, lateral=False, conv1_kernel=(3, 7, 7),
            conv1_stride_t=1, pool1_stride_t=1, inflate=(1, 1, 1, 1),
            norm_eval=False)),
    cls_head=dict(type='SeFARFusionHead', num_classes=K, in_channels=64,
                  fusion_dim=16, average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[127.5] * 3,
                           std=[57.5] * 3, format_shape='NCTHW'))


@pytest.fixture(autouse=True)
def env(monkeypatch):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    monkeypatch.setattr(MessageHub, '_instance_dict', OrderedDict())
    MessageHub.get_instance('test_sefar')
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield
    torch.set_num_threads(threads)


def build(seed=0, student=None, **train_cfg):
    torch.manual_seed(seed)
    cfg = dict(token_mix=dict(type='TubeTokenMix', patch_size=8),
               unsup_weight=1.0)
    cfg.update(train_cfg)
    model = MODELS.build(dict(
        type='SeFARRecognizer', student=copy.deepcopy(student or STUDENT),
        teacher=dict(type='TeacherEMA', momentum=1e-4),
        semi_train_cfg=cfg))
    model.init_weights()
    return model


def batches(n_sup=2, n_unsup=4, clips=1, seed=0):
    gen = torch.Generator().manual_seed(seed)

    def clip():
        return torch.randint(0, 256, (clips, 3, 8, 32, 32), generator=gen,
                             dtype=torch.uint8)

    sup = dict(inputs=[clip() for _ in range(n_sup)],
               data_samples=[ActionDataSample().set_gt_label(i % K)
                             for i in range(n_sup)])
    samples = []
    for i in range(n_unsup):
        s = ActionDataSample().set_gt_label(-1)
        s.set_metainfo(dict(hidden_label=i % K, skipped=[]))
        samples.append(s)
    unsup = dict(inputs=dict(weak=[clip() for _ in range(n_unsup)],
                             strong=[clip() for _ in range(n_unsup)]),
                 data_samples=samples)
    return sup, unsup


def run_loss(model, data=None):
    data = model.data_preprocessor(list(data or batches()), True)
    return model(**data, mode='loss'), data


def record_weights(model):
    seen = []
    apply = model.apply_weighters

    def wrapped(step):
        out = apply(step)
        seen.append(out.weights.detach().clone())
        return out

    model.apply_weighters = wrapped
    return seen


def test_one_training_step_updates_the_student_only():
    model = build()
    model.train()
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    losses, _ = run_loss(model)
    assert {'sup_loss_cls', 'unsup_loss_cls', 'unsup_loss_mix'} <= set(losses)
    assert 'mix_lambda' in losses and 'pl_acc' in losses
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    for p in (model.student.cls_head.fc_cls.weight,
              model.student.backbone.backbone.conv1.conv.weight):
        assert p.grad is not None and p.grad.abs().sum() > 0
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, teacher_before[k]), k
    model.teacher.steps.fill_(1)  # past the EMA's initial copy
    model.update_teacher()  # what EMATeacherHook does after the step
    student = model.student.state_dict()
    for k, v in model.teacher.module.state_dict().items():
        if v.dtype.is_floating_point:
            expect = teacher_before['module.' + k].lerp(student[k], 1e-4)
            assert torch.allclose(v, expect, atol=1e-6), k


def test_unsupervised_losses_match_hand_computation():
    """Deterministic setting (eval mode, head dropout 0): σ = 0, and a
    λ = 1 mix is the strong clip itself."""
    student = copy.deepcopy(STUDENT)
    student['cls_head']['dropout_ratio'] = 0.
    model = build(student=student)
    model.eval()
    model.token_mix.sample_lambda = lambda: 1.0
    # a teacher different from the student, so targets are not trivial
    with torch.no_grad():
        for p in model.teacher.module.parameters():
            p.add_(0.05 * torch.randn_like(p))
    seen = record_weights(model)
    losses, data = run_loss(model)
    weak = data['inputs']['unsup']['weak']
    strong = data['inputs']['unsup']['strong']
    with torch.no_grad():
        p = recognizer_logits(model.teacher.module, weak).softmax(-1)
        z = recognizer_logits(model.student, strong)
    conf, label = p.max(-1)
    w = 2 * torch.sigmoid(conf.exp() - math.e)  # certainty part is 1
    assert torch.allclose(seen[0], w, atol=1e-5)
    ce = F.cross_entropy(z, label, reduction='none')
    assert losses['unsup_loss_cls'].item() == pytest.approx(
        2 * (w * ce).mean().item(), rel=1e-4)
    mse = (z - p).pow(2).mean(-1)
    assert losses['unsup_loss_mix'].item() == pytest.approx(
        2 * (w * mse).mean().item(), rel=1e-4)


def test_unsupervised_terms_scale_with_the_ramp():
    model = build(unsup_weight=dict(type='SineRampWeight', warmup=0,
                                    rampup=10, offset=0))
    model.eval()
    hub = MessageHub.get_current_instance()
    hub.update_info('iter', 5)
    torch.manual_seed(0)
    half, _ = run_loss(model)
    hub.update_info('iter', 10)
    torch.manual_seed(0)
    full, _ = run_loss(model)
    r = math.sin(math.pi / 4)
    assert half['unsup_loss_cls'].item() == pytest.approx(
        r * full['unsup_loss_cls'].item(), rel=1e-5)


def test_supervised_warmup_then_teacher_restarts_from_the_student():
    model = build(unsup_weight=dict(type='SineRampWeight', warmup=5,
                                    rampup=25, offset=1))
    model.train()
    hub = MessageHub.get_current_instance()
    hub.update_info('iter', 0)
    losses, _ = run_loss(model)
    assert set(k for k in losses if 'loss' in k) == {'sup_loss_cls'}
    with torch.no_grad():  # the student moves during warm-up
        for p in model.student.parameters():
            p.add_(0.1)
    assert model.ssl_started.item() == 0
    hub.update_info('iter', 5)
    losses, _ = run_loss(model)
    assert 'unsup_loss_cls' in losses and model.ssl_started.item() == 1
    # parameters (BN statistics moved on in the student pass after the sync)
    student = dict(model.student.named_parameters())
    for k, v in model.teacher.module.named_parameters():
        assert torch.equal(v, student[k]), k
    # no second restart
    with torch.no_grad():
        for p in model.student.parameters():
            p.add_(0.1)
    run_loss(model)
    assert not torch.equal(model.student.cls_head.fc_cls.weight,
                           model.teacher.module.cls_head.fc_cls.weight)


def test_identical_rng_state_gives_identical_weights():
    """Exact resume: the MC-dropout weights depend only on the restored
    global RNG (and differ for another state, so the check has teeth)."""
    model = build()
    model.train()
    seen = record_weights(model)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a, _ = run_loss(model)
    torch.set_rng_state(state)
    b, _ = run_loss(model)
    torch.manual_seed(7)
    run_loss(model)
    assert torch.equal(seen[0], seen[1])
    assert not torch.equal(seen[0], seen[2])
    assert 0 < seen[0].min() and seen[0].max() <= 1
    assert seen[0].std() > 0
    for k in ('unsup_loss_cls', 'unsup_loss_mix'):
        assert torch.equal(a[k], b[k])


def test_ablation_switches():
    model = build(regulation=None, token_mix=None, mc_passes=1)
    model.train()
    seen = record_weights(model)
    losses, _ = run_loss(model)
    assert 'unsup_loss_mix' not in losses
    assert torch.equal(seen[0], torch.ones(4))
    assert len(model.weighters) == 0


@pytest.mark.parametrize('kwargs,match', [
    (dict(mc_passes=0), 'mc_passes'),
    (dict(mix_on='soft'), 'mix_on'),
    (dict(threshold=0.9), 'unknown semi_train_cfg keys'),
])
def test_invalid_configurations(kwargs, match):
    with pytest.raises((ValueError, KeyError), match=match):
        build(**kwargs)


def test_needs_an_ema_teacher():
    with pytest.raises(ValueError, match='EMA teacher'):
        MODELS.build(dict(type='SeFARRecognizer', student=STUDENT,
                          teacher=None))


def test_multi_view_predict_is_the_stock_protocol():
    """3 test views per video: scores = mean of per-view softmax."""
    model = build(student=STUDENT)
    model.predict_on = 'student'
    model.eval()
    sup, _ = batches(n_sup=2, clips=3)
    data = model.data_preprocessor(sup, False)
    out = model(**data, mode='predict')
    x = data['inputs']  # (N, 3, C, T, H, W)
    with torch.no_grad():
        views = model.student.cls_head(
            model.student.backbone(x.flatten(0, 1))).softmax(-1)
    expect = views.view(2, 3, K).mean(1)
    got = torch.stack([s.pred_score for s in out])
    assert torch.allclose(got, expect, atol=1e-5)
