"""Keeps the EMA teacher of a semi-supervised recognizer in step."""
from mmengine.hooks import EMAHook, Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmssar.registry import HOOKS
from .finite_guard import describe, non_finite_tensors


def has_ema_teacher(model) -> bool:
    """Whether ``model`` (unwrapped) holds an EMA teacher to keep updated.

    The model's own ``has_ema_teacher`` answers when it has one; otherwise a
    model with a ``teacher`` and an ``update_teacher`` method has one.
    """
    if hasattr(model, 'has_ema_teacher'):
        return bool(getattr(model, 'has_ema_teacher'))
    return (getattr(model, 'teacher', None) is not None
            and hasattr(model, 'update_teacher'))


@HOOKS.register_module()
class EMATeacherHook(Hook):
    """Copy the student into the teacher at the start, then average it in
    after every real optimizer step.

    The copy happens in ``before_train`` — after pretrained weights and
    ``load_from`` checkpoints are loaded (``before_run`` would copy random
    weights) — and only on a fresh start: a resumed run keeps the teacher
    from its checkpoint. With gradient accumulation, iterations that do not
    step the optimizer do not move the teacher. A student holding inf or NaN
    stops the run before it reaches the teacher.

    A run whose model has an EMA teacher gets this hook installed (with a
    warning) when the config registers none; see :func:`ensure_ema_teacher`.

    Args:
        begin_iter (int): Before this iteration the teacher is kept an exact
            copy of the student (no averaging). Defaults to 0.
        check_finite (bool): Check the student's parameters and buffers
            before each EMA step. Defaults to True.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, begin_iter: int = 0, check_finite: bool = True) -> None:
        self.begin_iter = begin_iter
        self.check_finite = check_finite

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        # checked here, not in before_run: `tools/test.py` on a config that
        # inherits this hook must not fail for a plain recognizer
        if any(isinstance(h, EMAHook) for h in runner.hooks):
            raise RuntimeError(
                'EMATeacherHook and MMEngine\'s EMAHook cannot be used '
                'together: the teacher already is the EMA model. Remove '
                'EMAHook from custom_hooks.')
        model = self._model(runner)
        if not (hasattr(model, 'sync_teacher')
                and hasattr(model, 'update_teacher')):
            raise TypeError(
                f'EMATeacherHook needs a semi-supervised model with a '
                f'teacher, got {type(model).__name__}')
        if runner.iter == 0:
            model.sync_teacher()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        optim_wrapper = runner.optim_wrapper
        stepped = getattr(optim_wrapper, 'should_update', lambda: True)()
        if not stepped:
            return
        model = self._model(runner)
        if self.check_finite:
            bad = non_finite_tensors(getattr(model, 'student', model),
                                     sync=True)
            if bad:
                raise FloatingPointError(
                    f'the student holds non-finite values after iteration '
                    f'{runner.iter + 1} ({describe(bad)}); training stopped '
                    'before the EMA step so that the teacher and the '
                    'checkpoints stay finite. Lower the learning rate, '
                    'enable gradient clipping, or check the input data.')
        if runner.iter + 1 <= self.begin_iter:
            model.sync_teacher()
        else:
            model.update_teacher()


def ensure_ema_teacher(runner) -> bool:
    """Install :class:`EMATeacherHook` when the model's EMA teacher would
    otherwise never be updated.

    A config that replaces ``custom_hooks`` (lists replace, they do not
    merge) or inherits a stock MMAction2 recipe instead of
    ``semi_runtime.py`` has no hook; the teacher would stay at its initial
    weights while validation and the best checkpoint use it.

    Returns:
        bool: Whether the hook was installed.
    """
    model = runner.model
    model = model.module if is_model_wrapper(model) else model
    if not has_ema_teacher(model):
        return False
    if any(isinstance(h, EMATeacherHook) for h in runner.hooks):
        return False
    if any(isinstance(h, EMAHook) for h in runner.hooks):
        raise RuntimeError(
            f'{type(model).__name__} has an EMA teacher, which '
            'EMATeacherHook keeps updated; MMEngine\'s EMAHook cannot do it. '
            'Replace EMAHook by dict(type=\'EMATeacherHook\') in '
            'custom_hooks.')
    runner.register_hook(EMATeacherHook())
    print_log(
        f'{type(model).__name__} has an EMA teacher but no EMATeacherHook '
        'is registered (custom_hooks replaced by the config, or a stock '
        'recipe inherited without configs/_base_/semi_runtime.py): '
        'installed EMATeacherHook() so that the teacher follows the '
        'student. Add dict(type=\'EMATeacherHook\') to custom_hooks to set '
        'its options and silence this warning.',
        logger='current',
        level=30)
    return True
