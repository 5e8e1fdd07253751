"""Make an epoch-minded runtime (a stock MMAction2 recipe) consistent with
an iteration-based semi-supervised loop.

Rule: **one epoch = one pass over the unlabeled loader** (the epoch of
:class:`SemiEpochBasedTrainLoop`), i.e. ``len(unlabeled_dataloader)``
iterations. Epoch-based parameter schedulers and checkpoint intervals are
converted with it; logs and validation metrics are written per iteration.
Every conversion is printed.
"""
import copy
import types
from typing import List

from mmengine.hooks import CheckpointHook, LoggerHook
from mmengine.logging import print_log

WARNING = 30


def _log(msg: str, level: int = 20) -> None:
    print_log(msg, logger='current', level=level)


def _convert_scheduler(cfg: dict, epoch_length: int, max_iters: int,
                       notes: List[str]) -> dict:
    if not cfg.get('by_epoch', True):
        return cfg
    cfg = copy.deepcopy(cfg)
    name = cfg.get('type', 'scheduler')
    if cfg.get('end') is None:
        # MMEngine's default end is max_epochs, 1 in an iteration loop
        cfg['end'] = (max_iters + 0.5) / epoch_length
    begin, end = cfg.get('begin', 0), cfg['end']
    cfg.update(by_epoch=True, convert_to_iter_based=True,
               epoch_length=epoch_length)
    first, last = int(begin * epoch_length), int(end * epoch_length)
    notes.append(f'{name}: epochs [{begin}, {end:g}) -> iterations '
                 f'[{first}, {last})')
    if first >= max_iters or last > max_iters + 1:
        _log(
            f'{name} ends at iteration {last} but the run stops at '
            f'max_iters={max_iters}: part of the schedule will never run. '
            'Set param_scheduler with by_epoch=False in iterations to '
            'choose the schedule yourself.', WARNING)
    return cfg


def _convert_schedulers(schedulers, epoch_length: int, max_iters: int,
                        notes: List[str]):
    if schedulers is None:
        return None
    if isinstance(schedulers, dict) and 'type' not in schedulers:
        # one list per optimizer
        return {
            k: _convert_schedulers(v, epoch_length, max_iters, notes)
            for k, v in schedulers.items()
        }
    single = isinstance(schedulers, dict)
    items = [schedulers] if single else list(schedulers)
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(_convert_scheduler(item, epoch_length, max_iters,
                                          notes))
        elif getattr(item, 'by_epoch', False):
            raise ValueError(
                f'{type(item).__name__} is an epoch-based scheduler object '
                'and cannot be converted for SemiIterBasedTrainLoop; give it '
                'as a config dict, or build it with by_epoch=False.')
        else:
            out.append(item)
    return out[0] if single else out


def _never_end_of_epoch(self, dataloader, batch_idx) -> bool:
    # the iteration loop has no epochs: MMEngine's LoggerHook would print an
    # extra line whenever the iteration equals the labeled loader's length
    return False


def adapt_runtime_to_iters(runner, epoch_length: int, max_iters: int) -> None:
    """Convert what a stock recipe configures per epoch to iterations.

    Must run before the runner builds its parameter schedulers (the loop's
    constructor does).

    Args:
        runner (Runner): The runner.
        epoch_length (int): Iterations per epoch (unlabeled loader length).
        max_iters (int): Length of the run.
    """
    notes: List[str] = []
    runner.param_schedulers = _convert_schedulers(
        runner.param_schedulers, epoch_length, max_iters, notes)
    for hook in runner.hooks:
        if isinstance(hook, CheckpointHook):
            if hook.by_epoch:
                old = hook.interval
                hook.by_epoch = False
                hook.interval = old * epoch_length
                if hook.filename_tmpl == 'epoch_{}.pth':
                    hook.filename_tmpl = 'iter_{}.pth'
                hook.save_begin = hook.save_begin * epoch_length
                notes.append(f'checkpoint interval: {old} epoch(s) -> '
                             f'{hook.interval} iterations')
        elif isinstance(hook, LoggerHook):
            hook.log_metric_by_epoch = False
            hook.end_of_epoch = types.MethodType(_never_end_of_epoch, hook)
        elif getattr(hook, 'by_epoch', False) is True:
            _log(
                f'{type(hook).__name__} runs by epoch, but in '
                'SemiIterBasedTrainLoop after_train_epoch fires only once, '
                'at the end of training. Set by_epoch=False and an interval '
                'in iterations.', WARNING)
    if runner.log_processor.by_epoch:
        runner.log_processor.by_epoch = False
        notes.append('log_processor.by_epoch: True -> False')
    if notes:
        _log('SemiIterBasedTrainLoop: converted epoch-based settings with 1 '
             f'epoch = {epoch_length} iterations (one pass over the '
             'unlabeled loader):\n  ' + '\n  '.join(notes), WARNING)

