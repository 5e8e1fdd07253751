"""Two gloo processes reproduce the single-process InfoNCE on the full batch.

Checked: the loss value on every rank, the gradients of the local
embeddings (divided by the world size, which is what DDP's averaging does),
parameter gradients of a model wrapped in real DDP, and the plain gather /
reduce helpers, with equal and unequal per-rank batch sizes.
"""
import datetime
import os
import traceback
import time

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn

from mmssar.models.losses import InfoNCELoss
from mmssar.models.utils.dist_utils import (all_gather_no_grad,
                                            all_reduce_mean, gather_with_grad)

WORLD = 2
DIM = 6
TIMEOUT_S = 120
#: per-rank batch sizes: equal, and unequal (e.g. a last, smaller batch)
SIZES = [(4, 4), (3, 5)]


def _data(sizes):
    gen = torch.Generator().manual_seed(0)
    n = sum(sizes)
    return (torch.randn(n, DIM, generator=gen, dtype=torch.float64),
            torch.randn(n, DIM, generator=gen, dtype=torch.float64))


def _model():
    torch.manual_seed(1)
    return nn.ModuleDict(
        dict(rgb=nn.Linear(DIM, 4), tg=nn.Linear(DIM, 4))).double()


class _Both(nn.Module):
    """Projects RGB and TG embeddings in one forward (one DDP call)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, q, k):
        return self.model.rgb(q), self.model.tg(k)


def _rank_results(rank, sizes):
    """This rank's loss, input / parameter gradients and helper outputs."""
    q_all, k_all = _data(sizes)
    start = sum(sizes[:rank])
    stop = start + sizes[rank]
    q, k = q_all[start:stop], k_all[start:stop]

    loss_fn = InfoNCELoss(temperature=0.5)
    qg = q.clone().requires_grad_(True)
    kg = k.clone().requires_grad_(True)
    loss = loss_fn(qg, kg)
    loss.backward()

    # real DDP: averaged parameter gradients of both projection layers
    model = _model()
    ddp = nn.parallel.DistributedDataParallel(_Both(model))
    zq, zk = ddp(q, k)
    loss_fn(zq, zk).backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()}
    # a DDP object outliving its process group can hang at exit
    del ddp, zq, zk

    gathered = gather_with_grad(qg)
    no_grad = all_gather_no_grad(qg)
    return dict(
        loss=loss.detach(), q_grad=qg.grad, k_grad=kg.grad,
        param_grads=grads, gathered=gathered.detach(), no_grad=no_grad,
        mean=all_reduce_mean(torch.full((3, ), float(rank))),
        requires_grad=(gathered.requires_grad, no_grad.requires_grad))


def _worker(rank, init_file, out_file):
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank,
        world_size=WORLD, timeout=datetime.timedelta(seconds=60))
    try:
        torch.save([_rank_results(rank, sizes) for sizes in SIZES],
                   f'{out_file}.{rank}')
        dist.barrier()
        dist.destroy_process_group()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    # Skip interpreter teardown, where gloo's threads can abort a finished
    # process; the results are on disk.
    os._exit(0)


def _single_process_reference(sizes):
    """Loss and gradients of one process on the concatenated batch."""
    q_all, k_all = _data(sizes)
    loss_fn = InfoNCELoss(temperature=0.5)
    q = q_all.clone().requires_grad_(True)
    k = k_all.clone().requires_grad_(True)
    loss = loss_fn(q, k)
    loss.backward()
    model = _model()
    loss_fn(model.rgb(q_all), model.tg(k_all)).backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    return q_all, loss.detach(), q.grad, k.grad, grads


@pytest.mark.dist
def test_two_rank_infonce_equals_one_rank(tmp_path):
    out_file = str(tmp_path / 'out')
    # one spawn for all size settings: child start-up dominates the time
    context = mp.spawn(
        _worker,
        args=(str(tmp_path / 'init'), out_file),
        nprocs=WORLD,
        join=False)
    deadline = time.monotonic() + TIMEOUT_S
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for proc in context.processes:
                proc.kill()
            pytest.fail(f'2-process gloo run did not finish in {TIMEOUT_S} s')
    per_rank = [torch.load(f'{out_file}.{r}') for r in range(WORLD)]

    for i, sizes in enumerate(SIZES):
        q_all, ref, q_grad, k_grad, ref_grads = \
            _single_process_reference(sizes)
        assert q_grad.abs().sum() > 0  # not trivially zero
        start = 0
        for rank in range(WORLD):
            res = per_rank[rank][i]
            stop = start + sizes[rank]
            torch.testing.assert_close(res['loss'], ref, rtol=1e-12, atol=0)
            # every rank back-propagates the full-batch loss; DDP divides by
            # the world size
            torch.testing.assert_close(res['q_grad'] / WORLD,
                                       q_grad[start:stop])
            torch.testing.assert_close(res['k_grad'] / WORLD,
                                       k_grad[start:stop])
            for name, grad in ref_grads.items():
                torch.testing.assert_close(res['param_grads'][name], grad)
            torch.testing.assert_close(res['gathered'], q_all)
            torch.testing.assert_close(res['no_grad'], q_all)
            assert res['requires_grad'] == (True, False)
            torch.testing.assert_close(res['mean'], torch.full((3, ), 0.5))
            start = stop


def test_helpers_identity_without_dist():
    x = torch.randn(3, 2, requires_grad=True)
    assert gather_with_grad(x) is x
    assert all_gather_no_grad(x) is x
    assert all_reduce_mean(x) is x
