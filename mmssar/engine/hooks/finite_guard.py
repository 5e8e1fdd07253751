"""Never average or save a model that holds non-finite values."""
from typing import List

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import nn

from mmssar.registry import HOOKS

#: how many offending tensors an error message names
MAX_NAMED = 5


def non_finite_tensors(module: nn.Module, sync: bool = False) -> List[str]:
    """Names of the floating parameters and buffers holding inf or NaN.

    One fused max-abs reduction over all tensors and a single host sync, so
    the check is cheap enough to run every iteration.

    Args:
        module (nn.Module): The module to check.
        sync (bool): Also report (as ``'<another rank>'``) when a tensor of
            another rank is non-finite, so that every rank stops together
            (BN buffers differ between ranks). All ranks must call it.
            Defaults to False.

    Returns:
        list[str]: State-dict names of the non-finite tensors.
    """
    named = [(n, t) for n, t in module.state_dict(keep_vars=True).items()
             if torch.is_tensor(t) and t.is_floating_point() and t.numel()]
    if not named:
        return []
    peaks = torch._foreach_norm([t.detach() for _, t in named],
                                float('inf'))
    finite = torch.isfinite(torch.stack([p.float() for p in peaks]))
    bad = [n for (n, _), ok in zip(named, finite.tolist()) if not ok]
    if sync and get_world_size() > 1:
        flag = torch.tensor(float(len(bad)), device=peaks[0].device)
        all_reduce(flag, op='sum')
        if flag.item() > 0 and not bad:
            bad = ['<another rank>']
    return bad


def describe(names: List[str]) -> str:
    shown = ', '.join(names[:MAX_NAMED])
    more = f' and {len(names) - MAX_NAMED} more' if len(names) > MAX_NAMED \
        else ''
    return shown + more


@HOOKS.register_module()
class FiniteCheckpointHook(Hook):
    """Refuse to write a checkpoint of a model holding inf or NaN.

    A diverging run can keep a finite loss for a while (a BN layer's
    ``running_var`` overflows first); saving then would make
    ``last_checkpoint`` point to a poisoned model. The error stops the run
    instead and leaves the previous checkpoint and ``last_checkpoint``
    untouched. Installed by the semi-supervised loops and ``tools/train.py``;
    nothing to configure.
    """

    priority = 'VERY_HIGH'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        bad = non_finite_tensors(model)
        if bad:
            raise FloatingPointError(
                f'refusing to save a checkpoint at iteration {runner.iter}: '
                f'the model holds non-finite values in {describe(bad)}. '
                'The previous checkpoint and last_checkpoint are left '
                'untouched. Lower the learning rate, enable gradient '
                'clipping, or check the input data.')
