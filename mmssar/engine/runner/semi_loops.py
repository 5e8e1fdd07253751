"""Train loops that feed (labeled, unlabeled) batch pairs to the model."""
import bisect
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner.base_loop import BaseLoop
from mmengine.runner.utils import calc_dynamic_intervals
from torch.utils.data import DataLoader

from mmssar.registry import HOOKS, LOOPS
from mmssar.utils.rng import get_rng_state, set_rng_state
from .iter_runtime import adapt_runtime_to_iters
from .loader_stream import LoaderStream

_STATE_KEY = 'semi_loop'


def _rng_to_checkpoint(state: dict) -> dict:
    """Only tensors, ints and strings: loadable with ``weights_only``."""
    py = state['python']
    np_state = state['numpy']
    out = dict(
        python_version=py[0],
        python_state=torch.tensor(py[1], dtype=torch.int64),
        numpy_keys=torch.from_numpy(np_state[1].astype(np.int64)),
        numpy_pos=int(np_state[2]),
        numpy_has_gauss=int(np_state[3]),
        numpy_gauss=float(np_state[4]),
        torch=state['torch'])
    if 'cuda' in state:
        out['cuda'] = list(state['cuda'])
    return out


def _rng_from_checkpoint(ckpt: dict) -> dict:
    state = dict(
        python=(ckpt['python_version'],
                tuple(int(x) for x in ckpt['python_state'].tolist()), None),
        numpy=('MT19937', ckpt['numpy_keys'].numpy().astype(np.uint32),
               ckpt['numpy_pos'], ckpt['numpy_has_gauss'],
               ckpt['numpy_gauss']),
        torch=ckpt['torch'])
    if 'cuda' in ckpt:
        state['cuda'] = ckpt['cuda']
    return state


@HOOKS.register_module()
class SemiLoopCheckpointHook(Hook):
    """Store the semi-supervised loop's position and RNG in checkpoints.

    Registered automatically by the semi loops; nothing to configure.
    """

    priority = 'VERY_HIGH'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        loop = runner.train_loop
        if isinstance(loop, _SemiLoopMixin):
            checkpoint[_STATE_KEY] = loop.semi_state_dict()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if _STATE_KEY in checkpoint and runner._resume:
            loop = runner.train_loop
            if isinstance(loop, _SemiLoopMixin):
                loop.load_semi_state_dict(checkpoint[_STATE_KEY])


class _SemiLoopMixin:
    """Labeled + unlabeled loaders, data checks, resumable positions."""

    def _init_semi(self, unlabeled_dataloader: Union[DataLoader, Dict],
                   unlabeled_includes_labeled: bool) -> None:
        runner = self.runner
        if isinstance(unlabeled_dataloader, dict):
            diff_rank_seed = runner._randomness_cfg.get(
                'diff_rank_seed', False)
            unlabeled_dataloader = runner.build_dataloader(
                unlabeled_dataloader,
                seed=runner.seed,
                diff_rank_seed=diff_rank_seed)
        self.unlabeled_dataloader = unlabeled_dataloader
        self.labeled = LoaderStream(self.dataloader, 'labeled loader')
        self.unlabeled = LoaderStream(unlabeled_dataloader,
                                      'unlabeled loader')
        self._pending_rng: Optional[dict] = None
        self._check_data(unlabeled_includes_labeled)
        if not any(isinstance(h, SemiLoopCheckpointHook)
                   for h in runner.hooks):
            runner.register_hook(SemiLoopCheckpointHook())
        from ..safeguards import install_safeguards
        install_safeguards(runner)

    def _check_data(self, unlabeled_includes_labeled: bool) -> None:
        from mmssar.datasets.semi_dataset import (SemiDataset,
                                                  check_disjoint,
                                                  check_num_classes,
                                                  warn_missing_classes)
        labeled = self.dataloader.dataset
        unlabeled = self.unlabeled_dataloader.dataset
        for ds, name in ((labeled, 'train_dataloader'),
                         (unlabeled, 'unlabeled_dataloader')):
            if len(ds) == 0:
                raise ValueError(f'{name} has an empty dataset')
        if not (isinstance(labeled, SemiDataset)
                and isinstance(unlabeled, SemiDataset)):
            return
        if labeled.role != 'labeled' or unlabeled.role != 'unlabeled':
            raise ValueError(
                'train_dataloader must hold SemiDataset(role="labeled") and '
                'unlabeled_dataloader SemiDataset(role="unlabeled"); got '
                f'{labeled.role!r} and {unlabeled.role!r}')
        if not unlabeled_includes_labeled:
            check_disjoint(labeled, unlabeled)
        model = self.runner.model
        model = model.module if is_model_wrapper(model) else model
        num_classes = getattr(model, 'num_classes', None)
        if num_classes is not None:
            check_num_classes([labeled, unlabeled], num_classes)
        num_classes = num_classes or labeled.num_classes
        if num_classes is not None:
            warn_missing_classes(labeled, num_classes)

    # -------------------------------------------------------------- state
    def semi_state_dict(self) -> dict:
        return dict(
            labeled=self.labeled.state_dict(),
            unlabeled=self.unlabeled.state_dict(),
            # inside validation, the state validation will restore: MMEngine
            # re-saves the last checkpoint when the best score improves
            rng=_rng_to_checkpoint(
                getattr(self, '_rng_before_val', None) or get_rng_state()))

    def load_semi_state_dict(self, state: dict) -> None:
        self.labeled.load_state_dict(state['labeled'])
        self.unlabeled.load_state_dict(state['unlabeled'])
        self._pending_rng = _rng_from_checkpoint(state['rng'])

    def _restore_position(self) -> None:
        """Open both loaders at their saved position, then restore RNG."""
        if self._pending_rng is None:
            return
        self.labeled.start()
        self.unlabeled.start()
        set_rng_state(self._pending_rng)
        self._pending_rng = None
        print_log(
            f'resumed loaders: labeled {self.labeled.state_dict()}, '
            f'unlabeled {self.unlabeled.state_dict()}',
            logger='current')

    def _run_val(self) -> None:
        # Validation must not move the training RNG streams: a run with and
        # a run without intermediate validation (or a resumed run) stay equal.
        state = get_rng_state()
        self._rng_before_val = state
        try:
            self.runner.val_loop.run()
        finally:
            self._rng_before_val = None
            set_rng_state(state)

    def run_iter(self, idx: int, data_batch: Tuple[dict, dict]) -> None:
        self.runner.call_hook(
            'before_train_iter', batch_idx=idx, data_batch=data_batch)
        outputs = self.runner.model.train_step(
            data_batch, optim_wrapper=self.runner.optim_wrapper)
        self.runner.call_hook(
            'after_train_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)
        self._iter += 1

    def _next_batch(self) -> Tuple[dict, dict]:
        return self.labeled.next(), self.unlabeled.next()


class _IntervalMixin:

    def _init_intervals(self, val_begin, val_interval, dynamic_intervals):
        self.val_begin = val_begin
        self.val_interval = val_interval
        self.stop_training = False
        self.dynamic_milestones, self.dynamic_intervals = \
            calc_dynamic_intervals(val_interval, dynamic_intervals)

    def _update_val_interval(self, progress: int) -> None:
        step = bisect.bisect(self.dynamic_milestones, progress + 1)
        self.val_interval = self.dynamic_intervals[step - 1]

    @property
    def max_epochs(self):
        return self._max_epochs

    @property
    def max_iters(self):
        return self._max_iters

    @property
    def epoch(self):
        return self._epoch

    @property
    def iter(self):
        return self._iter


@LOOPS.register_module()
class SemiIterBasedTrainLoop(_SemiLoopMixin, _IntervalMixin, BaseLoop):
    """Iteration-based semi-supervised training.

    Each iteration draws one labeled batch (``train_dataloader``) and one
    unlabeled batch (``unlabeled_dataloader``); both loaders cycle with
    ``set_epoch`` on their samplers. The model's ``train_step`` receives the
    pair ``(labeled_batch, unlabeled_batch)``.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The labeled loader.
        unlabeled_dataloader (DataLoader | dict): The unlabeled loader; its
            batch size is μ × the labeled batch size.
        max_iters (int): Number of iterations.
        val_begin (int): First iteration that may validate. Defaults to 1.
        val_interval (int): Validation interval in iterations.
            Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): Milestones and
            new validation intervals. Defaults to None.
        unlabeled_includes_labeled (bool): The unlabeled pool is the whole
            training list, labeled samples included (the FixMatch / LTG
            protocol). When False, overlapping sets are refused.
            Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 unlabeled_dataloader: Union[DataLoader, Dict],
                 max_iters: int,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None,
                 unlabeled_includes_labeled: bool = False) -> None:
        super().__init__(runner, dataloader)
        self._max_iters = int(max_iters)
        self._max_epochs = 1
        self._epoch = 0
        self._iter = 0
        self._init_intervals(val_begin, val_interval, dynamic_intervals)
        self._init_semi(unlabeled_dataloader, unlabeled_includes_labeled)
        adapt_runtime_to_iters(runner, len(self.unlabeled), self._max_iters)
        if hasattr(self.dataloader.dataset, 'metainfo'):
            runner.visualizer.dataset_meta = self.dataloader.dataset.metainfo

    def run(self) -> torch.nn.Module:
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        self._restore_position()
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            self.run_iter(self._iter, self._next_batch())
            self._update_val_interval(self._iter)
            if (self.runner.val_loop is not None
                    and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self._run_val()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model


@LOOPS.register_module()
class SemiEpochBasedTrainLoop(_SemiLoopMixin, _IntervalMixin, BaseLoop):
    """Epoch-based semi-supervised training; an epoch is one pass over the
    unlabeled data while the labeled loader cycles as often as needed.

    A resumed run continues inside the epoch where the checkpoint was taken
    (MMEngine's epoch loop restarts the epoch).

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The labeled loader.
        unlabeled_dataloader (DataLoader | dict): The unlabeled loader.
        max_epochs (int): Number of passes over the unlabeled data.
        val_begin (int): First epoch that may validate. Defaults to 1.
        val_interval (int): Validation interval in epochs. Defaults to 1.
        dynamic_intervals (list[tuple[int, int]], optional): Milestones and
            new validation intervals. Defaults to None.
        unlabeled_includes_labeled (bool): See
            :class:`SemiIterBasedTrainLoop`. Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 unlabeled_dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None,
                 unlabeled_includes_labeled: bool = False) -> None:
        super().__init__(runner, dataloader)
        self._max_epochs = int(max_epochs)
        self._epoch = 0
        self._iter = 0
        self._init_intervals(val_begin, val_interval, dynamic_intervals)
        self._init_semi(unlabeled_dataloader, unlabeled_includes_labeled)
        self._max_iters = self._max_epochs * len(self.unlabeled)
        if hasattr(self.dataloader.dataset, 'metainfo'):
            runner.visualizer.dataset_meta = self.dataloader.dataset.metainfo

    def run(self) -> torch.nn.Module:
        self.runner.call_hook('before_train')
        self._restore_position()
        while self._epoch < self._max_epochs and not self.stop_training:
            self.run_epoch()
            self._update_val_interval(self._epoch)
            if (self.runner.val_loop is not None
                    and self._epoch >= self.val_begin
                    and (self._epoch % self.val_interval == 0
                         or self._epoch == self._max_epochs)):
                self._run_val()
        self.runner.call_hook('after_train')
        return self.runner.model

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        num_batches = len(self.unlabeled)
        if self.unlabeled.epoch != self._epoch:  # fresh epoch
            self.unlabeled.load_state_dict(dict(epoch=self._epoch, step=0))
        while self.unlabeled.step < num_batches and not self.stop_training:
            self.run_iter(self.unlabeled.step, self._next_batch())
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
