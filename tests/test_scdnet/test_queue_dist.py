"""Two gloo processes: enqueued keys are all-gathered, queues stay equal."""
import os
import os.path as osp
import traceback

import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp

WORLD = 2
SIZE, DIM, BATCH, STEPS = 10, 3, 2, 4


def _rank_keys(rank, step):
    # different keys on every rank and step
    return torch.full((BATCH, DIM), float(100 * rank + step)) + \
        torch.arange(BATCH, dtype=torch.float32)[:, None]


def _worker(rank, init_file, out_dir):
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank,
        world_size=WORLD)
    try:
        from mmssar.models.selfsup import FeatureQueue
        torch.manual_seed(rank)  # different random initial queues
        q = FeatureQueue(SIZE, DIM)
        for step in range(STEPS):
            q.enqueue(_rank_keys(rank, step))
        torch.save(q.state_dict(), osp.join(out_dir, f'rank{rank}.pth'))
        torch_dist.barrier()
        torch_dist.destroy_process_group()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    # Skip interpreter teardown: gloo's background threads can abort a
    # finished process there ("terminate called without an active
    # exception"); the results are already on disk.
    os._exit(0)


def test_two_rank_queues_identical(tmp_path):
    init_file = tmp_path / 'dist_init'
    mp.spawn(
        _worker, args=(str(init_file), str(tmp_path)), nprocs=WORLD,
        join=True)
    s0 = torch.load(tmp_path / 'rank0.pth')
    s1 = torch.load(tmp_path / 'rank1.pth')
    torch.testing.assert_close(s0['queue'], s1['queue'])
    assert int(s0['ptr']) == int(s1['ptr']) == (STEPS * WORLD * BATCH) % SIZE
    # expected content: per step, rank 0's keys then rank 1's, FIFO
    stream = torch.cat([
        _rank_keys(r, s) for s in range(STEPS) for r in range(WORLD)
    ])
    expected = torch.empty(SIZE, DIM)
    for i, key in enumerate(stream):
        expected[i % SIZE] = key
    # 16 keys into 10 slots: everything was overwritten at least once
    torch.testing.assert_close(s0['queue'], expected)
