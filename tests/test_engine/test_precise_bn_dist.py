"""PreciseBN on two gloo ranks: each rank averages its own batches, then the
statistics are averaged over ranks, so both ranks end with the same values,
equal to one process averaging all the batches."""
import datetime
import os
import time
import traceback

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.model import BaseDataPreprocessor
from torch import nn

from mmssar.engine.hooks import PreciseBNHook

WORLD = 2
TIMEOUT_S = 120


def _batches(rank):
    gen = torch.Generator().manual_seed(10 + rank)
    return [dict(inputs=torch.randn(6, 3, generator=gen) * (rank + 1) + rank)
            for _ in range(3)]


class _Model(nn.Module):

    def __init__(self):
        super().__init__()
        self.student = nn.Sequential(nn.BatchNorm1d(3))
        self.data_preprocessor = BaseDataPreprocessor()


class _Runner:

    def __init__(self):
        self.model = _Model()


def _worker(rank, init_file, out_file):
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank,
        world_size=WORLD, timeout=datetime.timedelta(seconds=60))
    try:
        runner = _Runner()
        PreciseBNHook(num_iters=3, dataloader=_batches(rank)).update(runner)
        bn = runner.model.student[0]
        torch.save(dict(mean=bn.running_mean, var=bn.running_var),
                   f'{out_file}.{rank}')
        dist.barrier()
        dist.destroy_process_group()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


@pytest.mark.dist
def test_precise_bn_statistics_are_averaged_over_ranks(tmp_path):
    out_file = str(tmp_path / 'out')
    context = mp.spawn(
        _worker, args=(str(tmp_path / 'init'), out_file), nprocs=WORLD,
        join=False)
    deadline = time.monotonic() + TIMEOUT_S
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for proc in context.processes:
                proc.kill()
            pytest.fail(f'2-process gloo run did not finish in {TIMEOUT_S} s')
    per_rank = [torch.load(f'{out_file}.{r}') for r in range(WORLD)]
    batches = _batches(0) + _batches(1)
    mean = torch.stack([b['inputs'].mean(0) for b in batches]).mean(0)
    var = torch.stack([b['inputs'].var(0) for b in batches]).mean(0)
    for res in per_rank:
        torch.testing.assert_close(res['mean'], mean)
        torch.testing.assert_close(res['var'], var)
