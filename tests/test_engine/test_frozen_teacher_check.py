"""A fresh run whose frozen teacher has no checkpoint is refused (it would
take every target from a random network); resumed runs, a checkpoint, or a
load_from file that holds the teacher pass."""
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mmssar.engine.hooks import FrozenTeacherCheckHook
from mmssar.engine.safeguards import install_safeguards
from mmssar.models.teachers import FrozenTeacher, TeacherEMA


class _Semi(nn.Module):

    def __init__(self, checkpoint):
        super().__init__()
        student = nn.Linear(2, 2)
        self.teachers = nn.ModuleDict(dict(
            teacher=TeacherEMA(student, momentum=0.1),
            labeled=FrozenTeacher(student, checkpoint=checkpoint)))


def _runner(model, iter=0, load_from=None):
    return SimpleNamespace(model=model, iter=iter, _load_from=load_from)


def test_fresh_start_without_checkpoint_is_refused():
    hook = FrozenTeacherCheckHook()
    with pytest.raises(ValueError, match='model.teachers.labeled.checkpoint'):
        hook.before_train(_runner(_Semi(None)))
    # resumed: the teacher came with the run checkpoint
    hook.before_train(_runner(_Semi(None), iter=5))
    # a checkpoint to load at init_weights
    hook.before_train(_runner(_Semi('labeled_only.pth')))


def test_load_from_must_hold_the_teacher(tmp_path):
    hook = FrozenTeacherCheckHook()
    plain = str(tmp_path / 'plain.pth')
    torch.save(dict(state_dict={'backbone.w': torch.zeros(1)}), plain)
    with pytest.raises(ValueError, match='randomly initialised'):
        hook.before_train(_runner(_Semi(None), load_from=plain))
    run = str(tmp_path / 'run.pth')
    torch.save(dict(state_dict={'teachers.labeled.module.weight':
                                torch.zeros(2, 2)}), run)
    hook.before_train(_runner(_Semi(None), load_from=run))


def test_installed_with_the_safeguards():
    hooks = []
    runner = SimpleNamespace(model=nn.Linear(1, 1), hooks=hooks,
                             register_hook=hooks.append)
    install_safeguards(runner)
    assert any(isinstance(h, FrozenTeacherCheckHook) for h in hooks)
    # a plain model has no teachers: nothing to refuse
    FrozenTeacherCheckHook().before_train(_runner(nn.Linear(1, 1)))
