"""Keeps the EMA teacher of a semi-supervised recognizer in step."""
from mmengine.hooks import EMAHook, Hook
from mmengine.model import is_model_wrapper

from mmssar.registry import HOOKS


@HOOKS.register_module()
class EMATeacherHook(Hook):
    """Copy the student into the teacher at the start, then average it in
    after every real optimizer step.

    The copy happens in ``before_train`` — after pretrained weights and
    ``load_from`` checkpoints are loaded (``before_run`` would copy random
    weights) — and only on a fresh start: a resumed run keeps the teacher
    from its checkpoint. With gradient accumulation, iterations that do not
    step the optimizer do not move the teacher.

    Args:
        begin_iter (int): Before this iteration the teacher is kept an exact
            copy of the student (no averaging). Defaults to 0.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, begin_iter: int = 0) -> None:
        self.begin_iter = begin_iter

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
        if runner.iter + 1 <= self.begin_iter:
            model.sync_teacher()
        else:
            model.update_teacher()
