"""Two gloo processes: the instance-contrastive terms (NT-Xent over the
gathered global batch) equal the single-process value on the concatenated
batch, and so do the gradients after DDP's averaging."""
import datetime
import os
import time
import traceback

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.registry import DefaultScope

from mmssar.datasets.transforms import sparse_dense_view_names
from mmssar.models.losses import NTXentLoss
from mmssar.registry import MODELS

WORLD = 2
SIZES = (3, 2)  # unequal per-rank batches
TIMEOUT_S = 120


def _embeddings():
    gen = torch.Generator().manual_seed(0)
    return {v: torch.randn(sum(SIZES), 8, generator=gen, dtype=torch.float64)
            for v in sparse_dense_view_names(4, 2)}


def _model():
    with DefaultScope.overwrite_default_scope('mmssar'):
        return MODELS.build(dict(
            type='TemporalContrastivePretrainer',
            backbone=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None,
                          base_channels=4, lateral=False),
            neck=dict(type='TemporalSliceProjector', in_channels=32),
            mode='invariant'))


def _losses(glob):
    glob = {k: v.clone().requires_grad_(True) for k, v in glob.items()}
    out = _model().pretext_losses(glob, {})
    total = out['loss_ic_global'] + out['loss_ic_local']
    total.backward()
    nt = NTXentLoss()(glob['sparse_a0'].detach(), glob['sparse_a1'].detach())
    return dict(total=total.detach(), nt=nt,
                grad={k: v.grad for k, v in glob.items()})


def _worker(rank, init_file, out_file):
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank,
        world_size=WORLD, timeout=datetime.timedelta(seconds=60))
    try:
        start = sum(SIZES[:rank])
        local = {k: v[start:start + SIZES[rank]]
                 for k, v in _embeddings().items()}
        torch.save(_losses(local), f'{out_file}.{rank}')
        dist.barrier()
        dist.destroy_process_group()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


@pytest.mark.dist
def test_two_rank_instance_terms_equal_one_rank(tmp_path):
    out_file = str(tmp_path / 'out')
    context = mp.spawn(_worker, args=(str(tmp_path / 'init'), out_file),
                       nprocs=WORLD, join=False)
    deadline = time.monotonic() + TIMEOUT_S
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for proc in context.processes:
                proc.kill()
            pytest.fail(f'2-process gloo run did not finish in {TIMEOUT_S} s')
    ref = _losses(_embeddings())
    start = 0
    for rank in range(WORLD):
        res = torch.load(f'{out_file}.{rank}')
        torch.testing.assert_close(res['total'], ref['total'])
        torch.testing.assert_close(res['nt'], ref['nt'])
        stop = start + SIZES[rank]
        for view, grad in ref['grad'].items():
            torch.testing.assert_close(res['grad'][view] / WORLD,
                                       grad[start:stop])
        start = stop
