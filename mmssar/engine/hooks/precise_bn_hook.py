"""Recompute BN statistics with the current weights (PreciseBN)."""
import copy
from typing import Iterable, Iterator, List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from mmssar.registry import HOOKS
from mmssar.utils.rng import preserved_rng


@HOOKS.register_module()
class PreciseBNHook(Hook):
    """Replace running BN statistics by their average over many batches.

    The running averages of BN layers lag behind the weights; PreciseBN
    (Wu & Johnson, 2021), part of the LTG recipe, recomputes them with the
    current weights. Statistics are averaged over ranks.

    When: the statistics must be those of the model that is validated and
    of every checkpoint written during training, and BN momentum (0.1)
    erases a recomputation within tens of iterations, so the hook
    recomputes them, at most once per training iteration,

    - after a training iteration (or epoch) after which a ``CheckpointHook``
      saves a checkpoint (this hook runs before it: the periodic and the
      last checkpoints are written in ``after_train_iter``, before the
      iteration's validation),
    - right before every validation run during training (``before_val``),
    - at the end of training (``after_train``), so the returned model and a
      following ``runner.test()`` carry them,
    - and, optionally, every ``interval`` iterations / epochs.

    Validation and checkpoints after the same iteration share one
    recomputation; outside training (``runner.val()`` / ``runner.test()``
    alone) the hook does nothing. Every trigger happens on all ranks (the
    recomputation runs SyncBN forwards and all-reduces). The global random
    streams are restored after each recomputation, so training draws the
    same numbers with or without the hook.

    Args:
        num_iters (int): Batches to average over. Defaults to 200.
        module (str): Dotted attribute of the model whose BN layers are
            updated, e.g. ``'student'``; ``''`` for the whole model.
            Defaults to ``'student'``.
        dataloader (dict | Iterable, optional): Loader (config or built) of
            plain training batches, e.g. the training list with the
            validation pipeline as in LTG. Defaults to a fresh loader built
            from the config's ``train_dataloader`` (never the training
            loop's own loader, whose position must not move).
        view (str): The view to use when batches hold several views (e.g.
            LTG's labeled ``rgb``/``tg``). Defaults to ``'rgb'``.
        dataset_from (str, optional): Dotted path, in the runner's config,
            of the dataset config to read when ``dataloader`` (a dict) has
            no ``dataset``, e.g.
            ``'train_cfg.unlabeled_dataloader.dataset.dataset'`` (LTG: the
            whole training list). Defaults to None.
        pipeline_from (str, optional): Dotted path, in the runner's config,
            of a pipeline that replaces that dataset's pipeline, e.g.
            ``'val_dataloader.dataset.pipeline'``. Defaults to None.
        interval (int, optional): Also recompute every ``interval``
            iterations (or epochs with ``by_epoch``). Defaults to None
            (only before validation, at checkpoints and at the end).
        by_epoch (bool): Unit of ``interval``. Defaults to False.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 num_iters: int = 200,
                 module: str = 'student',
                 dataloader: Optional[Union[dict, Iterable]] = None,
                 view: str = 'rgb',
                 dataset_from: Optional[str] = None,
                 pipeline_from: Optional[str] = None,
                 interval: Optional[int] = None,
                 by_epoch: bool = False) -> None:
        if num_iters < 1:
            raise ValueError(f'PreciseBNHook: num_iters must be >= 1, '
                             f'got {num_iters}')
        if interval is not None and interval < 1:
            raise ValueError(f'PreciseBNHook: interval must be >= 1 or '
                             f'None, got {interval}')
        self.num_iters = num_iters
        self.module = module
        self.dataloader = dataloader
        self.view = view
        self.dataset_from = dataset_from
        self.pipeline_from = pipeline_from
        self.interval = interval
        self.by_epoch = by_epoch
        self._loader: Optional[Iterable] = None
        self._passes = 0
        # True once the weights moved since the last recomputation.
        self._stale = False

    # ------------------------------------------------------------ triggers
    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self._stale = True

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        periodic = (self.interval and not self.by_epoch
                    and self.every_n_train_iters(runner, self.interval))
        if periodic or self._checkpoint_due(runner, by_epoch=False):
            self._refresh(runner)

    def after_train_epoch(self, runner) -> None:
        periodic = (self.interval and self.by_epoch
                    and self.every_n_epochs(runner, self.interval))
        if periodic or self._checkpoint_due(runner, by_epoch=True):
            self._refresh(runner)

    def before_val(self, runner) -> None:
        self._refresh(runner)

    def after_train(self, runner) -> None:
        self._refresh(runner)

    # ----------------------------------------------------------- machinery
    def _checkpoint_due(self, runner, by_epoch: bool) -> bool:
        """Whether a ``CheckpointHook`` saves after this iteration / epoch
        (its own rule: every ``interval`` from ``save_begin``, and the last
        one with ``save_last``)."""
        for hook in runner.hooks:
            if not isinstance(hook, CheckpointHook) or hook.by_epoch != (
                    by_epoch):
                continue
            if by_epoch:
                due = self.every_n_epochs(runner, hook.interval,
                                          hook.save_begin) or (
                                              hook.save_last and
                                              self.is_last_train_epoch(runner))
            else:
                due = self.every_n_train_iters(
                    runner, hook.interval, hook.save_begin) or (
                        hook.save_last and self.is_last_train_iter(runner))
            if due:
                return True
        return False

    def _refresh(self, runner) -> bool:
        """Recompute if the weights changed since the last recomputation."""
        if not self._stale:
            return False
        self.update(runner)
        self._stale = False
        return True

    def _net(self, runner) -> nn.Module:
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        net = model
        for attr in filter(None, self.module.split('.')):
            if not hasattr(net, attr):
                raise AttributeError(
                    f'PreciseBNHook(module={self.module!r}): '
                    f'{type(model).__name__} has no sub-module {attr!r}')
            net = getattr(net, attr)
        return net

    def _bns(self, runner) -> List[_BatchNorm]:
        return [m for m in self._net(runner).modules()
                if isinstance(m, _BatchNorm) and m.track_running_stats]

    def _build_loader(self, runner) -> Iterable:
        cfg = self.dataloader
        if cfg is None:
            cfg = runner.cfg.get('train_dataloader')
            if cfg is None:
                raise ValueError(
                    'PreciseBNHook: no `dataloader` given and the config has '
                    'no `train_dataloader` to build one from')
        if not isinstance(cfg, dict):
            return cfg
        cfg = copy.deepcopy(dict(cfg))
        if self.dataset_from is not None and cfg.get('dataset') is None:
            cfg['dataset'] = copy.deepcopy(
                self._from_cfg(runner, self.dataset_from))
        if self.pipeline_from is not None:
            if cfg.get('dataset') is None:
                raise ValueError('PreciseBNHook: `pipeline_from` needs a '
                                 'dataset (`dataloader.dataset` or '
                                 '`dataset_from`)')
            cfg['dataset'] = dict(
                cfg['dataset'],
                pipeline=copy.deepcopy(
                    self._from_cfg(runner, self.pipeline_from)))
        return runner.build_dataloader(cfg, seed=runner.seed)

    @staticmethod
    def _from_cfg(runner, path: str):
        """The value at a dotted path of the runner's config."""
        node = runner.cfg
        for i, key in enumerate(path.split('.')):
            if not isinstance(node, (dict, Config)) or key not in node:
                where = '.'.join(path.split('.')[:i]) or 'the config'
                raise KeyError(f'PreciseBNHook: {where} has no key {key!r} '
                               f'(looking up {path!r})')
            node = node[key]
        return node

    def _batches(self, runner) -> Iterator[dict]:
        if self._loader is None:
            self._loader = self._build_loader(runner)
        while True:
            # A new shuffle each pass (DefaultSampler reseeds per epoch).
            sampler = getattr(self._loader, 'sampler', None)
            if hasattr(sampler, 'set_epoch'):
                sampler.set_epoch(self._passes)
            self._passes += 1
            empty = True
            for batch in self._loader:
                empty = False
                if isinstance(batch['inputs'], dict):
                    batch = dict(batch, inputs=batch['inputs'][self.view])
                yield batch
            if empty:
                raise ValueError('PreciseBNHook: the dataloader is empty')

    @torch.no_grad()
    def update(self, runner) -> None:
        """Recompute the BN statistics of ``module`` now."""
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        net = self._net(runner)
        bns = self._bns(runner)
        if not bns:
            return
        momenta = [bn.momentum for bn in bns]
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the batches below
        was_training = net.training
        net.train()
        with preserved_rng():
            batches = self._batches(runner)
            for _ in range(self.num_iters):
                inputs = model.data_preprocessor(next(batches),
                                                 False)['inputs']
                if hasattr(net, 'extract_feat'):  # MMAction2 recognizers
                    net.extract_feat(inputs, stage='backbone')
                else:
                    net(inputs)
        net.train(was_training)
        for bn, momentum in zip(bns, momenta):
            bn.momentum = momentum
            if get_world_size() > 1:
                for stat in (bn.running_mean, bn.running_var):
                    all_reduce(stat, op='mean')
        print_log(f'PreciseBN: recomputed {len(bns)} BN layers of '
                  f'{self.module or "the model"} over {self.num_iters} '
                  'batches', logger='current')
