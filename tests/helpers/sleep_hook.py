"""A test-only hook: sleep after each iteration from a given one on, so that
a test can kill the run between two checkpoints."""
import time

from mmengine.hooks import Hook

from mmssar.registry import HOOKS


@HOOKS.register_module()
class SleepHook(Hook):

    def __init__(self, seconds: float = 0.3, after_iter: int = 3) -> None:
        self.seconds = seconds
        self.after_iter = after_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 >= self.after_iter:
            time.sleep(self.seconds)
