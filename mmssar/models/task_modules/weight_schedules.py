"""Schedules for the weight of the unsupervised loss."""
import math

from mmengine.logging import MessageHub

from mmssar.registry import TASK_UTILS


@TASK_UTILS.register_module()
class RampUpWeight:
    """``weight × ramp(progress)``, zero during warm-up.

    Progress is read from the runner's MessageHub (``iter`` or ``epoch``), so
    the schedule resumes with the run and needs no hook.

    Args:
        weight (float): Final weight λ. Defaults to 1.
        warmup (int): Iterations (or epochs) with weight 0 (supervised
            warm-up). Defaults to 0.
        rampup (int): Iterations (or epochs) of ramp after the warm-up.
            Defaults to 0 (a step to ``weight``).
        shape (str): ``'linear'`` or ``'sigmoid'`` (Mean Teacher's
            exp(−5(1−t)²)). Defaults to ``'linear'``.
        by_epoch (bool): Count epochs instead of iterations.
            Defaults to False.
    """

    def __init__(self,
                 weight: float = 1.0,
                 warmup: int = 0,
                 rampup: int = 0,
                 shape: str = 'linear',
                 by_epoch: bool = False) -> None:
        if shape not in ('linear', 'sigmoid'):
            raise ValueError(f'unknown ramp shape {shape!r}')
        self.weight = weight
        self.warmup = warmup
        self.rampup = rampup
        self.shape = shape
        self.by_epoch = by_epoch

    def progress(self) -> int:
        hub = MessageHub.get_current_instance()
        return int(hub.get_info('epoch' if self.by_epoch else 'iter', 0) or 0)

    def __call__(self, progress: int = None) -> float:
        t = self.progress() if progress is None else progress
        if t < self.warmup:
            return 0.0
        if self.rampup <= 0:
            return self.weight
        r = min(1.0, (t - self.warmup) / self.rampup)
        if self.shape == 'sigmoid':
            r = math.exp(-5.0 * (1.0 - r)**2)
        return self.weight * r
