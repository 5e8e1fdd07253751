"""Refuses a fresh run whose frozen teacher would stay randomly initialised."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import _load_checkpoint

from mmssar.registry import HOOKS


def frozen_teachers_without_weights(model) -> list:
    """Names of the model's frozen teachers that load no checkpoint
    (``FrozenTeacher(checkpoint=None)``: weights from a run checkpoint)."""
    teachers = getattr(model, 'teachers', None) or {}
    return [name for name, t in teachers.items()
            if not getattr(t, 'is_ema', True)
            and getattr(t, 'checkpoint', '') is None]


@HOOKS.register_module()
class FrozenTeacherCheckHook(Hook):
    """Stop a fresh start whose frozen teacher has no weights to load.

    A ``FrozenTeacher`` with ``checkpoint=None`` takes its weights from the
    run checkpoint it is resumed from (or a ``load_from`` file holding
    ``teachers.<name>.module.*``). On a fresh start without such a file it
    would keep its random initialisation and make every pseudo-label or
    distillation target noise, silently: refused here, naming the config key
    to set. Installed by :func:`mmssar.engine.install_safeguards`.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        if runner.iter > 0:  # resumed: the teachers came with the checkpoint
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        missing = frozen_teachers_without_weights(model)
        load_from = getattr(runner, '_load_from', None)
        if missing and load_from:
            ckpt = _load_checkpoint(load_from, map_location='cpu')
            keys = ckpt.get('state_dict', ckpt)
            missing = [n for n in missing if not any(
                k.startswith(f'teachers.{n}.module.') for k in keys)]
        if missing:
            keys = ', '.join(f'model.teachers.{n}.checkpoint' for n in missing)
            raise ValueError(
                f'frozen teacher(s) {missing} have no weights: a fresh run '
                f'would take their targets from a randomly initialised '
                f'network. Set {keys} (e.g. --cfg-options {keys.split(",")[0]}'
                f'=CHECKPOINT), or load_from / resume a run checkpoint that '
                f'holds them.')
