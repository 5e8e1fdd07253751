"""The SSL template: named teachers (EMA and frozen), the fixed step
sequence, weighters, refused config keys, state-dict compatibility."""
import copy

import pytest
import torch
from mmengine.registry import DefaultScope
from test_semi_recognizers import STUDENTS, batches

from mmssar.models.semi import FixMatchRecognizer, PseudoLabels
from mmssar.registry import MODELS, TASK_UTILS
from mmssar.utils.checkpoint import export_recognizer

STUDENT = STUDENTS['r3d']


def build(**kwargs):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(
            dict(type=kwargs.pop('type', 'FixMatchRecognizer'),
                 student=copy.deepcopy(STUDENT), **kwargs))
    model.init_weights()
    return model


def perturb(net, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.1)


def params(net):
    return [p.detach().clone() for p in net.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


@pytest.fixture
def plain_ckpt(tmp_path):
    """A plain MMAction2 recognizer checkpoint (``backbone.*``)."""
    torch.manual_seed(7)
    with DefaultScope.overwrite_default_scope('mmssar'):
        rec = MODELS.build(copy.deepcopy(STUDENT))
    path = str(tmp_path / 'plain.pth')
    torch.save(dict(state_dict=rec.state_dict()), path)
    return path, rec


def test_unknown_train_cfg_key_is_refused_with_the_valid_keys():
    with pytest.raises(KeyError, match=r"\['treshold'\].*'threshold'"):
        build(semi_train_cfg=dict(treshold=0.5))
    with pytest.raises(KeyError, match='predict'):
        build(semi_test_cfg=dict(predict='student'))
    valid = FixMatchRecognizer.valid_train_cfg()
    assert {'threshold', 'sup_weight', 'weighters', 'memories'} <= set(valid)


def test_named_teachers_ema_and_frozen(plain_ckpt, tmp_path):
    path, rec = plain_ckpt
    model = build(teachers=dict(
        ema=dict(type='TeacherEMA', momentum=0.5),
        frozen=dict(type='FrozenTeacher', checkpoint=path)))
    assert model.teacher is None and model.has_ema_teacher
    frozen = model.teachers['frozen'].module
    # the frozen teacher holds the checkpoint, not the student's weights
    assert same(params(frozen), params(rec))
    assert not any(p.requires_grad for p in frozen.parameters())
    model.train()
    assert not frozen.training and not model.teachers['ema'].module.training

    before_frozen = params(frozen)
    before_ema = params(model.teachers['ema'].module)
    perturb(model.student, 1)
    model.update_teacher()  # what EMATeacherHook calls after a step
    assert same(params(frozen), before_frozen)
    assert not same(params(model.teachers['ema'].module), before_ema)

    # resume restores every teacher
    state = copy.deepcopy(model.state_dict())
    other = build(teachers=dict(
        ema=dict(type='TeacherEMA', momentum=0.5),
        frozen=dict(type='FrozenTeacher', checkpoint=path)))
    perturb(other.teachers['frozen'].module, 3)
    other.load_state_dict(state)
    for name in ('ema', 'frozen'):
        assert same(params(other.teachers[name].module),
                    params(model.teachers[name].module))

    # the exporter takes any named teacher
    src, dst = str(tmp_path / 'run.pth'), str(tmp_path / 'frozen.pth')
    torch.save(dict(state_dict=state), src)
    export_recognizer(src, dst, 'frozen')
    exported = torch.load(dst, weights_only=True)['state_dict']
    for k, v in rec.state_dict().items():
        assert torch.equal(exported[k], v), k


def test_frozen_teacher_from_a_training_checkpoint(plain_ckpt, tmp_path):
    path, _ = plain_ckpt
    source = build()
    perturb(source.student, 5)
    run = str(tmp_path / 'run.pth')
    torch.save(dict(state_dict=source.state_dict()), run)
    with pytest.raises(KeyError, match='network='):
        build(teachers=dict(t=dict(type='FrozenTeacher', checkpoint=run)))
    model = build(teachers=dict(t=dict(type='FrozenTeacher', checkpoint=run,
                                       network='student')))
    assert same(params(model.teachers['t'].module), params(source.student))
    # an architecture that does not fit is named, key by key
    wrong = copy.deepcopy(STUDENT)
    wrong['cls_head']['num_classes'] = 5
    with pytest.raises(RuntimeError, match='shape mismatch.*fc_cls'):
        build(teachers=dict(t=dict(type='FrozenTeacher', model=wrong,
                                   checkpoint=path)))


def test_teacher_shorthand_and_conflicts():
    assert set(build().teachers) == {'teacher'}
    assert set(build(teacher=None).teachers) == set()
    assert build(teacher=None).predict_on == 'student'
    with pytest.raises(ValueError, match='twice'):
        build(teacher=dict(type='TeacherEMA'),
              teachers=dict(teacher=dict(type='TeacherEMA')))
    with pytest.raises(ValueError, match="'nobody'"):
        build(semi_test_cfg=dict(predict_on='nobody'))


def test_predict_on_several_networks_in_one_pass(plain_ckpt):
    path, rec = plain_ckpt
    model = build(teachers=dict(frozen=dict(type='FrozenTeacher',
                                            checkpoint=path)),
                  semi_test_cfg=dict(predict_on=['student', 'frozen']))
    model.eval()
    from mmaction.structures import ActionDataSample
    x = torch.randn(2, 1, 3, 8, 32, 32)
    out = model.predict(x, [ActionDataSample() for _ in range(2)])
    assert set(out[0].pred_score) == {'student', 'frozen'}
    rec.eval()
    ref = rec.predict(x, [ActionDataSample() for _ in range(2)])
    torch.testing.assert_close(out[0].pred_score['frozen'],
                               ref[0].pred_score)


@TASK_UTILS.register_module(force=True)
class HalfWeighter(torch.nn.Module):
    """Test weighter: halves every weight and reports a log value."""

    def forward(self, probs, step):
        assert step.batch.unsup_meta['hidden_labels'].shape[0] == len(probs)
        return probs.new_full((probs.shape[0], ), 0.5)

    def log_values(self):
        return dict(half=0.5)


def test_steps_run_in_order_and_weighters_multiply():
    calls = []

    class Recorder(FixMatchRecognizer):
        pass

    for name in ('student_pass', 'teacher_passes', 'supervised_loss',
                 'pseudo_labels', 'apply_weighters', 'unsupervised_loss',
                 'extra_losses', 'update_memories'):
        def wrap(self, step, _name=name):
            calls.append(_name)
            return getattr(FixMatchRecognizer, _name)(self, step)
        setattr(Recorder, name, wrap)

    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = Recorder(student=copy.deepcopy(STUDENT),
                         semi_train_cfg=dict(threshold=0.0, weighters=[
                             dict(type='HalfWeighter')]))
    sup, unsup = batches()
    data = model.data_preprocessor((sup, unsup), True)
    losses = model(**data, mode='loss')
    assert calls == ['student_pass', 'teacher_passes', 'supervised_loss',
                     'pseudo_labels', 'apply_weighters', 'unsupervised_loss',
                     'extra_losses', 'update_memories']
    # threshold 0 keeps all (1), the second weighter halves: 0.5
    assert losses['mask_ratio'].item() == pytest.approx(0.5)
    assert losses['half'].item() == 0.5 and losses['threshold'].item() == 0


def test_pl_acc_is_not_logged_without_hidden_labels():
    model = build()
    sup, unsup = batches(hidden=(-1, -1, -1))
    data = model.data_preprocessor((sup, unsup), True)
    losses = model(**data, mode='loss')
    assert 'mask_ratio' in losses
    assert 'pl_acc' not in losses and 'pl_acc_kept' not in losses
    sup, unsup = batches(hidden=(-1, 2, -1))
    losses = model(**model.data_preprocessor((sup, unsup), True),
                   mode='loss')
    assert 'pl_acc' in losses


def test_batch_metadata_tensors():
    model = build()
    sup, unsup = batches(hidden=(2, -1, 1))
    for i, s in enumerate(unsup['data_samples']):
        s.set_metainfo(dict(sample_idx=10 + i, skipped=['a.mp4'] * i))
    data = model.data_preprocessor((sup, unsup), True)
    assert set(data['inputs']['sup']) == {'default'}
    meta = data['meta']
    assert meta['sup']['labels'].tolist() == [0, 1]
    assert meta['unsup']['hidden_labels'].tolist() == [2, -1, 1]
    assert meta['unsup']['sample_idx'].tolist() == [10, 11, 12]
    assert meta['unsup']['num_skipped'].item() == 3


def test_plain_checkpoint_fills_student_and_ema_only(plain_ckpt):
    path, rec = plain_ckpt
    other = copy.deepcopy(STUDENT)
    model = build(teachers=dict(
        teacher=dict(type='TeacherEMA'),
        frozen=dict(type='FrozenTeacher', model=other)),
        semi_train_cfg=dict(memories=dict(protos=dict(
            type='ClassPrototypes', num_classes=3, dim=64))))
    assert any(k.startswith('memories.protos.') for k in model.state_dict())
    frozen_before = params(model.teachers['frozen'].module)
    state = torch.load(path, weights_only=True)['state_dict']
    result = model.load_state_dict(state, strict=False)
    # no "missing keys num_skipped_unlabeled, teacher.steps" noise
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert same(params(model.student), params(rec))
    assert same(params(model.teacher.module), params(rec))
    assert same(params(model.teachers['frozen'].module), frozen_before)


def test_checkpoints_of_earlier_versions_load():
    model = build()
    perturb(model.teacher.module, 2)
    state = {
        (k.replace('teachers.teacher.', 'teacher.', 1)): v
        for k, v in model.state_dict().items()
    }
    fresh = build()
    fresh.load_state_dict(state, strict=True)
    assert same(params(fresh.teacher.module), params(model.teacher.module))


def test_pseudo_labels_record():
    p = PseudoLabels(torch.ones(2, 3) / 3, torch.eye(3)[:2], torch.ones(2))
    assert p._replace(weights=torch.zeros(2)).weights.sum() == 0
