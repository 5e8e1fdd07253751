"""Recompute BN statistics with the final weights (PreciseBN)."""
from typing import Optional

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from torch.nn.modules.batchnorm import _BatchNorm

from mmssar.registry import HOOKS
from ..runner.semi_loops import get_rng_state, set_rng_state


@HOOKS.register_module()
class PreciseBNHook(Hook):
    """Replace running BN statistics by their average over many batches.

    The running averages of BN layers lag behind the weights; PreciseBN
    (Wu & Johnson, 2021), part of the LTG recipe, recomputes them with the
    current weights before validation. Statistics are averaged over ranks.

    Args:
        num_iters (int): Batches to average over. Defaults to 200.
        interval (int): Every ``interval`` epochs (``by_epoch``) or
            iterations. Defaults to 1.
        by_epoch (bool): Interval unit. Defaults to True.
        module (str): Attribute of the model whose BN layers are updated,
            e.g. ``'student'``; ``''`` for the whole model.
            Defaults to ``'student'``.
        dataloader (dict, optional): Loader of plain (single-view) training
            batches, e.g. the training list with the validation pipeline as
            in LTG. Defaults to the labeled ``train_dataloader``.
        view (str): The view to use when batches hold several views (e.g.
            LTG's labeled ``rgb``/``tg``). Defaults to ``'rgb'``.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 num_iters: int = 200,
                 interval: int = 1,
                 by_epoch: bool = True,
                 module: str = 'student',
                 dataloader: Optional[dict] = None,
                 view: str = 'rgb') -> None:
        self.num_iters = num_iters
        self.interval = interval
        self.by_epoch = by_epoch
        self.module = module
        self.dataloader_cfg = dataloader
        self.view = view
        self._loader = None

    def after_train_epoch(self, runner) -> None:
        if self.by_epoch and self.every_n_epochs(runner, self.interval):
            self.update(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if not self.by_epoch and self.every_n_train_iters(
                runner, self.interval):
            self.update(runner)

    def _batches(self, runner):
        if self._loader is None:
            self._loader = (
                runner.build_dataloader(self.dataloader_cfg,
                                        seed=runner.seed)
                if self.dataloader_cfg else runner.train_dataloader)
        while True:
            for batch in self._loader:
                if isinstance(batch['inputs'], dict):
                    batch = dict(batch, inputs=batch['inputs'][self.view])
                yield batch

    @torch.no_grad()
    def update(self, runner) -> None:
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        net = getattr(model, self.module) if self.module else model
        bns = [m for m in net.modules()
               if isinstance(m, _BatchNorm) and m.track_running_stats]
        if not bns:
            return
        momenta = [bn.momentum for bn in bns]
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the batches below
        was_training = net.training
        net.train()
        rng = get_rng_state()  # keep the training RNG streams untouched
        batches = self._batches(runner)
        for _ in range(self.num_iters):
            data = model.data_preprocessor(next(batches), False)
            net.extract_feat(data['inputs'], stage='backbone')
        set_rng_state(rng)
        net.train(was_training)
        for bn, momentum in zip(bns, momenta):
            bn.momentum = momentum
            if get_world_size() > 1:
                for stat in (bn.running_mean, bn.running_var):
                    all_reduce(stat, op='mean')
        print_log(f'PreciseBN: recomputed {len(bns)} BN layers of '
                  f'{self.module or "the model"} over {self.num_iters} '
                  'batches', logger='current')
