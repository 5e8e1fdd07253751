"""The EMA teacher: MMEngine's averaged model with a fused update."""
import torch
from mmengine.model import ExponentialMovingAverage
from torch import nn

from mmssar.registry import MODELS


@MODELS.register_module()
class TeacherEMA(ExponentialMovingAverage):
    """Exponential moving average of a student, updated in one fused call.

    Same semantics as MMEngine's ``ExponentialMovingAverage`` (``momentum``
    is the weight of the *new* value: teacher ← (1 − m)·teacher + m·student,
    so a decay of 0.999 is ``momentum=0.001``), but the update runs as one
    ``torch._foreach_lerp_`` over all floating tensors instead of a Python
    loop of per-tensor kernels, which keeps the EMA share of an iteration
    small for video backbones with hundreds of tensors.

    Args:
        model (nn.Module): The student to average (deep-copied, frozen).
        momentum (float): Weight of the student in each update.
            Defaults to 0.001.
        interval (int): Update every ``interval`` calls. Defaults to 1.
        device (torch.device, optional): Where the teacher lives.
            Defaults to None (same as the student).
        update_buffers (bool): Average floating buffers (BN statistics) too;
            integer buffers are copied. Defaults to True.
    """

    #: updated by :class:`~mmssar.engine.EMATeacherHook`
    is_ema = True

    def __init__(self,
                 model: nn.Module,
                 momentum: float = 0.001,
                 interval: int = 1,
                 device=None,
                 update_buffers: bool = True) -> None:
        super().__init__(
            model,
            momentum=momentum,
            interval=interval,
            device=device,
            update_buffers=update_buffers)
        self.module.eval()

    def train(self, mode: bool = True):
        # The teacher predicts pseudo-labels: dropout off and BN statistics
        # frozen, whatever the runner asks of the enclosing model.
        return super().train(False)

    @torch.no_grad()
    def copy_from(self, model: nn.Module) -> None:
        """Make the teacher an exact copy of ``model`` (weights and buffers)."""
        self.module.load_state_dict(model.state_dict())

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        src = (model.state_dict()
               if self.update_buffers else dict(model.named_parameters()))
        # Not the dict cached by the constructor: ``model.to(device)`` gives
        # the teacher new tensors and would leave the cache behind.
        dst = (self.module.state_dict()
               if self.update_buffers else dict(self.module.named_parameters()))
        if self.steps == 0:
            for k, p_avg in dst.items():
                p_avg.copy_(src[k])
        elif self.steps % self.interval == 0:
            avg, new, ints = [], [], []
            for k, p_avg in dst.items():
                if p_avg.dtype.is_floating_point:
                    avg.append(p_avg)
                    new.append(src[k].to(p_avg.device))
                else:
                    ints.append((p_avg, src[k]))
            if avg:
                torch._foreach_lerp_(avg, new, self.momentum)
            for p_avg, p_src in ints:
                p_avg.copy_(p_src)
        if not self.update_buffers:
            for b_avg, b_src in zip(self.module.buffers(), model.buffers()):
                b_avg.copy_(b_src.to(b_avg.device))
        self.steps += 1
