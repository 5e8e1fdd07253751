"""Hooks every training run of an mmssar model needs, whatever its config."""
from .hooks.ema_teacher_hook import ensure_ema_teacher
from .hooks.finite_guard import FiniteCheckpointHook
from .hooks.frozen_teacher_check_hook import FrozenTeacherCheckHook
from .hooks.sample_error_hook import SampleErrorHook


def install_safeguards(runner) -> None:
    """Install the EMA teacher update (when missing), the finite-model check
    before checkpoints, file names in validation / test errors and the
    refusal of a fresh start with an unloaded frozen teacher.
    Idempotent; called by the semi-supervised loops, ``tools/train.py``
    (which covers plain loops) and ``tools/test.py``."""
    ensure_ema_teacher(runner)
    for hook_type in (FiniteCheckpointHook, SampleErrorHook,
                      FrozenTeacherCheckHook):
        if not any(isinstance(h, hook_type) for h in runner.hooks):
            runner.register_hook(hook_type())
