"""Two gloo processes run SCDNetPretrainer like one process with the
concatenated batch: in-batch negatives are gathered across ranks (equal and
unequal per-rank batches), queues receive every rank's keys and stay
identical."""
import datetime
import os
import time
import traceback

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.registry import DefaultScope

WORLD = 2
M, T, V, C = 2, 8, 25, 3
TIMEOUT_S = 180
#: per-rank batch sizes of the in-batch runs
SIZES = [(4, 4), (3, 5)]
QUEUE_SIZES = (3, 3)
QUEUE_STEPS = 3


def _model(negatives):
    from mmssar.registry import MODELS
    torch.manual_seed(0)
    cfg = dict(
        type='SCDNetPretrainer',
        backbone=dict(
            type='SCDNetEncoder',
            num_frames=T,
            base_channels=4,
            d_model=16,
            num_heads=2,
            dropout=0.0),
        proj_dim=8,
        queue_size=10,
        temperature=0.2,
        momentum=0.9,
        negatives=negatives)
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(cfg)
    # The GCN's BatchNorm normalises with per-rank batch statistics in train
    # mode (SyncBN would be needed to match one process); frozen statistics
    # make every sample's embedding independent of its batch, so the
    # comparison isolates the gathering of keys.
    return model.eval()


def _views(n, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, M, T, V, C, generator=g),
            torch.randn(n, M, T, V, C, generator=g))


def _slice(views, sizes, rank):
    start = sum(sizes[:rank])
    return tuple(v[start:start + sizes[rank]] for v in views)


def _batch_run(sizes, rank, world):
    """Losses and query-parameter gradients of one in-batch step."""
    model = _model('batch')
    views = _views(sum(sizes), seed=1)
    if world > 1:
        views = _slice(views, sizes, rank)
    losses = model(dict(query=views[0], key=views[1]), mode='loss')
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    return dict(
        losses={k: v.detach() for k, v in losses.items() if 'loss' in k},
        grads={
            n: p.grad.clone()
            for n, p in model.named_parameters() if p.grad is not None
        })


def _queue_run(rank, world):
    """Queue state and losses after a few steps with the official queues."""
    model = _model('queue')
    losses = []
    for step in range(QUEUE_STEPS):
        views = _views(sum(QUEUE_SIZES), seed=10 + step)
        if world > 1:
            views = _slice(views, QUEUE_SIZES, rank)
        out = model(dict(query=views[0], key=views[1]), mode='loss')
        losses.append(out['loss_ti'].detach())
    queues = {
        k: v
        for k, v in model.state_dict().items() if '_queue.' in k
    }
    return dict(queues=queues, losses=torch.stack(losses))


def _worker(rank, init_file, out_file):
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank,
        world_size=WORLD, timeout=datetime.timedelta(seconds=90))
    try:
        torch.set_num_threads(1)
        result = dict(
            batch=[_batch_run(sizes, rank, WORLD) for sizes in SIZES],
            queue=_queue_run(rank, WORLD))
        torch.save(result, f'{out_file}.{rank}')
        dist.barrier()
        dist.destroy_process_group()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    # Skip interpreter teardown, where gloo's threads can abort a finished
    # process; the results are on disk.
    os._exit(0)


@pytest.mark.dist
def test_two_rank_pretrainer_equals_one_process(tmp_path):
    out_file = str(tmp_path / 'out')
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
    ranks = [torch.load(f'{out_file}.{r}') for r in range(WORLD)]

    for i, sizes in enumerate(SIZES):
        single = _batch_run(sizes, 0, 1)
        total = sum(sizes)
        for name, ref in single['losses'].items():
            # each rank averages over its own queries: the size-weighted
            # mean of the rank losses is the loss of the whole batch
            weighted = sum(n * r['batch'][i]['losses'][name]
                           for n, r in zip(sizes, ranks)) / total
            torch.testing.assert_close(weighted, ref, msg=name)
        if sizes[0] == sizes[1]:
            # equal batches: DDP's gradient average is the 1-process grad
            assert single['grads']
            for name, ref in single['grads'].items():
                mean = sum(r['batch'][i]['grads'][name]
                           for r in ranks) / WORLD
                torch.testing.assert_close(mean, ref, msg=name)

    single = _queue_run(0, 1)
    for name, ref in single['queues'].items():
        assert torch.equal(ranks[0]['queue']['queues'][name],
                           ranks[1]['queue']['queues'][name]), name
        torch.testing.assert_close(ranks[0]['queue']['queues'][name], ref,
                                   msg=name)
    assert int(single['queues']['i_queue.ptr']) == (
        QUEUE_STEPS * sum(QUEUE_SIZES)) % 10
    torch.testing.assert_close(
        sum(r['queue']['losses'] for r in ranks) / WORLD, single['losses'])
