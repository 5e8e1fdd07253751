"""SeFAR's sine ramp of the unsupervised loss weight."""
import math

from mmssar.registry import TASK_UTILS
from .weight_schedules import RampUpWeight


@TASK_UTILS.register_module()
class SineRampWeight(RampUpWeight):
    """``weight · sin(π/2 · min(1, (t − warmup + offset) / rampup))`` after
    ``warmup``, 0 before.

    SeFAR: ``ξ(e) = sin(π/2 · (e + 1 − W) / (E − W))`` for epoch ``e ≥ W``
    (W = 5 warm-up epochs, E = 30), i.e. ``warmup=W, rampup=E − W,
    offset=1`` counted in epochs; in an iteration-based run use iterations
    with ``offset`` = one epoch of iterations (then ξ rises smoothly
    instead of once per epoch). :class:`RampUpWeight` has no sine shape and
    its ramp starts at 0, hence this subclass (progress is read the same
    way, from the MessageHub).

    Args:
        weight (float): Final weight. Defaults to 1.
        warmup (int): Iterations (epochs) with weight 0. Defaults to 0.
        rampup (int): Length of the ramp. Defaults to 0 (a step).
        offset (int): Progress added at the start of the ramp.
            Defaults to 0.
        by_epoch (bool): Count epochs. Defaults to False.
    """

    def __init__(self,
                 weight: float = 1.0,
                 warmup: int = 0,
                 rampup: int = 0,
                 offset: int = 0,
                 by_epoch: bool = False) -> None:
        super().__init__(weight=weight, warmup=warmup, rampup=rampup,
                         by_epoch=by_epoch)
        self.offset = offset

    def __call__(self, progress: int = None) -> float:
        t = self.progress() if progress is None else progress
        if t < self.warmup:
            return 0.0
        if self.rampup <= 0:
            return self.weight
        r = min(1.0, (t - self.warmup + self.offset) / self.rampup)
        return self.weight * math.sin(0.5 * math.pi * r)
