"""A test-only hook: write inf into a BN running variance of the student or
the teacher after a given iteration, as a diverging run does while its loss
is still finite (batch statistics are used in training mode)."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch.nn.modules.batchnorm import _BatchNorm

from mmssar.registry import HOOKS


@HOOKS.register_module()
class PoisonBNHook(Hook):

    def __init__(self, target: str = 'student', at_iter: int = 3) -> None:
        self.target = target
        self.at_iter = at_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 != self.at_iter:
            return
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        net = getattr(model, self.target)
        bn = next(m for m in net.modules() if isinstance(m, _BatchNorm))
        bn.running_var.fill_(float('inf'))
