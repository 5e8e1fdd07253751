"""TimeBalanceRecognizer: target mixture, loss, frozen teachers, export."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample
from mmengine.registry import DefaultScope

from mmssar.models.semi.timebalance import distillation_loss
from mmssar.models.utils.recognizer_io import recognizer_logits
from mmssar.registry import MODELS
from mmssar.utils.checkpoint import extract_recognizer_state

K = 3
STUDENT = dict(
    type='Recognizer3D',
    backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None,
                  base_channels=8, lateral=False, conv1_kernel=(1, 7, 7),
                  conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1),
                  norm_eval=False),
    cls_head=dict(type='I3DHead', in_channels=64, num_classes=K,
                  dropout_ratio=0., average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[127.5] * 3,
                           std=[57.5] * 3, format_shape='NCTHW'))
TEACHERS = dict(inv=dict(type='FrozenTeacher'),
                dist=dict(type='FrozenTeacher'))


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def build(**cfg):
    torch.manual_seed(0)
    model = MODELS.build(dict(type='TimeBalanceRecognizer',
                              student=copy.deepcopy(STUDENT),
                              teachers=copy.deepcopy(TEACHERS),
                              semi_train_cfg=cfg))
    # distinct teachers: re-initialise their classifiers differently
    for i, name in enumerate(('inv', 'dist')):
        torch.manual_seed(10 + i)
        fc = model.teachers[name].module.cls_head.fc_cls
        torch.nn.init.normal_(fc.weight, std=1.0)
    return model


def sample(score, label=-1):
    s = ActionDataSample().set_gt_label(label)
    s.set_metainfo(dict(temporal_similarity=score, hidden_label=0,
                        skipped=[]))
    return s


def batches(sup_scores=(0.2, 0.9), unsup_scores=(0.0, 1.0, 0.5)):
    gen = torch.Generator().manual_seed(0)

    def clip():
        return torch.randint(0, 256, (1, 3, 4, 32, 32), generator=gen,
                             dtype=torch.uint8)

    sup = dict(inputs=[clip() for _ in sup_scores],
               data_samples=[sample(s, i % K)
                             for i, s in enumerate(sup_scores)])
    unsup = dict(inputs=dict(clip=[clip() for _ in unsup_scores]),
                 data_samples=[sample(s) for s in unsup_scores])
    return sup, unsup


def test_loss_is_ce_plus_weighted_distillation_to_the_score_mixture():
    model = build()
    model.train()
    data = model.data_preprocessor(batches(), True)
    losses = model(**data, mode='loss')
    x_l = data['inputs']['sup']['default']
    x_u = data['inputs']['unsup']['clip']
    with torch.no_grad():
        def probs(net, x):
            return recognizer_logits(net, x).softmax(-1)

        s_l = torch.tensor([0.2, 0.9])[:, None]
        s_u = torch.tensor([0.0, 1.0, 0.5])[:, None]
        inv, dist = model.teachers['inv'].module, model.teachers['dist'].module
        q_l = s_l * probs(inv, x_l) + (1 - s_l) * probs(dist, x_l)
        q_u = s_u * probs(inv, x_u) + (1 - s_u) * probs(dist, x_u)
        assert torch.allclose(q_u.sum(-1), torch.ones(3))
        # s = 1: invariant teacher only; s = 0: distinctive only
        assert torch.allclose(q_u[1], probs(inv, x_u)[1])
        assert torch.allclose(q_u[0], probs(dist, x_u)[0])
    # the student's one train-mode pass over labeled + unlabeled clips
    logits = model.student(torch.cat([x_l, x_u]), mode='tensor')
    logits = model.student.cls_head(logits)
    p_l, p_u = logits[:2].softmax(-1), logits[2:].softmax(-1)
    assert losses['loss_distill_labeled'].item() == pytest.approx(
        50 * ((p_l - q_l) ** 2).mean().item(), rel=1e-4)
    assert losses['unsup_loss_distill'].item() == pytest.approx(
        100 * ((p_u - q_u) ** 2).mean().item(), rel=1e-4)
    ce = F.cross_entropy(logits[:2], torch.tensor([0, 1]))
    assert losses['sup_loss_cls'].item() == pytest.approx(ce.item(),
                                                          rel=1e-4)


def test_teachers_get_no_gradient_and_stay_in_eval_mode():
    model = build()
    model.train()
    assert not model.teachers['inv'].module.training
    data = model.data_preprocessor(batches(), True)
    losses = model(**data, mode='loss')
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    for t in model.teachers.values():
        assert all(p.grad is None and not p.requires_grad
                   for p in t.parameters())
    assert model.student.cls_head.fc_cls.weight.grad.abs().sum() > 0


def test_fixed_score_and_kl_option():
    model = build(fixed_score=1.0, distill='kl')
    model.train()
    data = model.data_preprocessor(batches(), True)
    losses = model(**data, mode='loss')
    assert losses['tb_score_clip'].item() == 1.0
    logits = torch.tensor([[2., 0., -1.]])
    q = torch.tensor([[0.5, 0.25, 0.25]])
    kl = (q * (q.log() - logits.log_softmax(-1))).sum()
    assert distillation_loss(logits, q, torch.ones(1), 'kl').item() == \
        pytest.approx(kl.item(), rel=1e-5)


def test_missing_score_and_teacher_are_refused():
    model = build()
    sup, unsup = batches()
    unsup['data_samples'][0] = ActionDataSample().set_gt_label(-1)
    data = model.data_preprocessor((sup, unsup), True)
    with pytest.raises(KeyError, match='LoadTemporalSimilarity'):
        model(**data, mode='loss')
    with pytest.raises(KeyError, match='dist'):
        MODELS.build(dict(type='TimeBalanceRecognizer',
                          student=copy.deepcopy(STUDENT),
                          teachers=dict(inv=dict(type='FrozenTeacher'))))


def test_exported_student_is_a_stock_recognizer():
    model = build()
    state = extract_recognizer_state(model.state_dict(), 'student')
    plain = MODELS.build(copy.deepcopy(STUDENT))
    plain.load_state_dict(state, strict=True)
    assert model.predict_on == 'student'
