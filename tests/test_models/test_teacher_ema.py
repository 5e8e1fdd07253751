"""TeacherEMA (the averaged teacher) and EMATeacherHook."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.hooks import EMAHook
from torch import nn

from mmssar.engine.hooks import EMATeacherHook
from mmssar.models.teachers import TeacherEMA
from mmssar.registry import HOOKS, MODELS


def _student(seed=0):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Dropout(0.5))
    # non-trivial BN statistics so that buffer averaging is visible
    net.train()
    net(torch.randn(8, 4))
    return net


def _perturb(net, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn(p.shape, generator=gen))
    net.train()
    net(torch.randn(8, 4, generator=gen))  # moves BN running stats


def _state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_first_update_copies_then_lerps_floats_and_copies_ints():
    student = _student()
    ema = TeacherEMA(student, momentum=0.25)
    _perturb(student, 1)
    # MMEngine semantics: the very first update is a copy
    ema.update_parameters(student)
    for k, v in student.state_dict().items():
        torch.testing.assert_close(ema.module.state_dict()[k], v)

    before = _state(ema.module)
    _perturb(student, 2)
    ema.update_parameters(student)
    after = ema.module.state_dict()
    for k, s in student.state_dict().items():
        if s.dtype.is_floating_point:
            expected = 0.75 * before[k] + 0.25 * s
            torch.testing.assert_close(after[k], expected, msg=k)
        else:  # num_batches_tracked
            assert torch.equal(after[k], s), k
    # sanity: the running mean really is averaged (not copied)
    assert not torch.allclose(after['1.running_mean'],
                              student.state_dict()['1.running_mean'])


def test_update_buffers_false_copies_buffers_and_averages_params():
    student = _student()
    ema = TeacherEMA(student, momentum=0.5, update_buffers=False)
    ema.update_parameters(student)  # copy
    before = _state(ema.module)
    _perturb(student, 3)
    ema.update_parameters(student)
    after = ema.module.state_dict()
    for k, v in student.named_buffers():
        assert torch.equal(after[k], v), k
    for k, v in student.named_parameters():
        torch.testing.assert_close(after[k], 0.5 * before[k] + 0.5 * v)


def test_interval_skips_updates():
    student = _student()
    ema = TeacherEMA(student, momentum=0.5, interval=2)
    ema.update_parameters(student)  # steps 0: copy
    before = _state(ema.module)
    _perturb(student, 4)
    ema.update_parameters(student)  # steps 1: 1 % 2 != 0 -> no change
    for k, v in ema.module.state_dict().items():
        assert torch.equal(v, before[k]), k
    ema.update_parameters(student)  # steps 2: averaged
    w = ema.module.state_dict()['0.weight']
    torch.testing.assert_close(
        w, 0.5 * before['0.weight'] + 0.5 * student[0].weight)


def test_teacher_is_frozen_and_stays_in_eval_mode():
    student = _student()
    ema = TeacherEMA(student)
    assert all(not p.requires_grad for p in ema.parameters())
    holder = nn.ModuleDict(dict(student=student, teacher=ema))
    holder.train()
    assert student.training
    assert not any(m.training for m in ema.modules())
    # dropout is off: two passes agree
    x = torch.randn(5, 4)
    assert torch.equal(ema.module(x), ema.module(x))


def test_copy_from_is_exact():
    student = _student()
    ema = TeacherEMA(student, momentum=0.1)
    _perturb(student, 5)
    ema.copy_from(student)
    for k, v in student.state_dict().items():
        assert torch.equal(ema.module.state_dict()[k], v), k


def test_update_after_moving_the_model_changes_the_teacher():
    """``model.to(device)`` replaces parameter storage; the EMA update must
    still write into the teacher that the model actually uses.

    ``_apply(lambda t: t.clone())`` is exactly what ``.to('cuda')`` does to
    a module (new storage for every parameter and buffer), reproduced on a
    CPU-only machine.
    """
    student = _student()
    ema = TeacherEMA(student, momentum=0.5)
    holder = nn.ModuleDict(dict(student=student, teacher=ema))
    holder._apply(lambda t: t.clone())  # what Runner.wrap_model's .to() does
    ema.update_parameters(student)  # copy
    _perturb(student, 6)
    before = _state(ema.module)
    ema.update_parameters(student)
    expected = 0.5 * before['0.weight'] + 0.5 * student[0].weight
    torch.testing.assert_close(ema.module[0].weight, expected)


def test_registered_and_built_around_student():
    student = _student()
    ema = MODELS.build(dict(type='TeacherEMA', momentum=0.2),
                       default_args=dict(model=student))
    assert isinstance(ema, TeacherEMA)
    assert ema.momentum == 0.2
    assert ema.module is not student
    for k, v in student.state_dict().items():
        assert torch.equal(ema.module.state_dict()[k], v)


# ------------------------------------------------------------------ hook
class _SemiLike(nn.Module):
    """The two methods EMATeacherHook uses, recording the calls."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def sync_teacher(self):
        self.calls.append('sync')

    def update_teacher(self):
        self.calls.append('update')


def _runner(model, hooks=(), it=0, should_update=True):
    optim = SimpleNamespace(should_update=lambda: should_update)
    return SimpleNamespace(
        model=model, hooks=list(hooks), iter=it, optim_wrapper=optim)


def test_hook_refuses_mmengine_ema_hook():
    hook = HOOKS.build(dict(type='EMATeacherHook'))
    runner = _runner(_SemiLike(), hooks=[hook, EMAHook()])
    with pytest.raises(RuntimeError, match='EMAHook'):
        hook.before_train(runner)
    hook.before_train(_runner(_SemiLike(), hooks=[hook]))  # fine alone


def test_hook_refuses_model_without_teacher():
    hook = EMATeacherHook()
    with pytest.raises(TypeError, match='Linear'):
        hook.before_train(_runner(nn.Linear(2, 2)))


def test_hook_syncs_only_on_fresh_start():
    hook = EMATeacherHook()
    fresh = _SemiLike()
    hook.before_train(_runner(fresh, it=0))
    assert fresh.calls == ['sync']
    resumed = _SemiLike()
    hook.before_train(_runner(resumed, it=7))
    assert resumed.calls == []


def test_hook_updates_only_after_optimizer_steps_and_after_begin_iter():
    hook = EMATeacherHook(begin_iter=2)
    model = _SemiLike()
    hook.after_train_iter(_runner(model, it=0), 0)  # iter 1 <= 2: copy
    hook.after_train_iter(_runner(model, it=1), 1)  # iter 2 <= 2: copy
    hook.after_train_iter(_runner(model, it=2), 2)  # iter 3: average
    hook.after_train_iter(_runner(model, it=3, should_update=False), 3)
    assert model.calls == ['sync', 'sync', 'update']

