"""Hooks every training run of an mmssar model needs, whatever its config."""
from .hooks.ema_teacher_hook import ensure_ema_teacher
from .hooks.finite_guard import FiniteCheckpointHook


def install_safeguards(runner) -> None:
    """Install the EMA teacher update (when missing) and the finite-model
    check before checkpoints. Idempotent; called by the semi-supervised
    loops and by ``tools/train.py`` (which covers plain loops)."""
    ensure_ema_teacher(runner)
    if not any(isinstance(h, FiniteCheckpointHook) for h in runner.hooks):
        runner.register_hook(FiniteCheckpointHook())
