"""Two gloo processes: memories stay identical on both ranks and equal to
one process fed the concatenated batches (unequal and empty per-rank batches
included); a state_dict round trip mid-run reproduces the later updates."""
import datetime
import os
import time
import traceback

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mmssar.models.memories import ClassPrototypes, FeatureBank

WORLD = 2
K, DIM, BANK = 4, 3, 7
TIMEOUT_S = 120
#: per-step (rank 0, rank 1) batch sizes and global labels
STEPS = [
    ((3, 5), [0, 0, 1, 1, 2, 0, 1, 2]),  # class 3 absent
    ((0, 2), [3, 3]),  # rank 0 empty; class 3 only on rank 1
    ((0, 0), []),  # nothing anywhere
    ((4, 4), [2, 1, 1, 0, 3, 2, 2, 0]),
    ((6, 1), [0, 1, 2, 3, 0, 1, 2]),  # 7 entries: the bank wraps again
]
RESUME_AT = 3  # state_dict round trip before this step


def _global_batch(step):
    sizes, labels = STEPS[step]
    g = torch.Generator().manual_seed(step)
    n = sum(sizes)
    confidences = torch.rand(n, generator=g, dtype=torch.float64)
    return dict(
        features=torch.randn(n, DIM, generator=g, dtype=torch.float64),
        labels=torch.tensor(labels, dtype=torch.long),
        confidences=confidences,
        reliable=confidences > 0.5,
        indices=torch.arange(100 * step, 100 * step + n))


def _memories():
    protos = ClassPrototypes(K, DIM, momentum=0.7).double()
    bank = FeatureBank(
        BANK, DIM, fields=dict(labels='long', confidences='float',
                               reliable='bool', indices='long')).double()
    return protos, bank


def _run(rank, world):
    """Feed the steps; rank ``rank`` of ``world`` gets its slice (a single
    process, world 1, gets the whole batch). Returns the final states of
    the uninterrupted and of the resumed memories."""
    protos, bank = _memories()
    resumed = None
    for step, (sizes, _) in enumerate(STEPS):
        if step == RESUME_AT:
            resumed = _memories()
            resumed[0].load_state_dict(protos.state_dict())
            resumed[1].load_state_dict(bank.state_dict())
        batch = _global_batch(step)
        if world > 1:
            start = sum(sizes[:rank])
            batch = {k: v[start:start + sizes[rank]] for k, v in batch.items()}
        for p, b in [(protos, bank)] + ([resumed] if resumed else []):
            p.update(batch['features'], batch['labels'])
            b.push(**batch)
    return dict(
        protos=protos.state_dict(), bank=bank.state_dict(),
        resumed_protos=resumed[0].state_dict(),
        resumed_bank=resumed[1].state_dict())


def _worker(rank, init_file, out_file):
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank,
        world_size=WORLD, timeout=datetime.timedelta(seconds=60))
    try:
        torch.save(_run(rank, WORLD), f'{out_file}.{rank}')
        dist.barrier()
        dist.destroy_process_group()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    # Skip interpreter teardown, where gloo's threads can abort a finished
    # process; the results are on disk.
    os._exit(0)


@pytest.mark.dist
def test_two_rank_memories_identical_and_equal_to_one_process(tmp_path):
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
    r0, r1 = (torch.load(f'{out_file}.{r}') for r in range(WORLD))
    single = _run(0, 1)

    for part in r0:
        for name, value in r0[part].items():
            # both ranks hold bit-identical memories ...
            assert torch.equal(value, r1[part][name]), (part, name)
            # ... equal to one process fed the concatenated batches
            torch.testing.assert_close(value, single[part][name],
                                       msg=f'{part}.{name}')
    for part in ('protos', 'bank'):
        for name, value in r0[part].items():
            assert torch.equal(value, r0[f'resumed_{part}'][name]), name

    # the scenario exercised what it claims
    assert single['protos']['initialized'].all()
    assert single['protos']['counts'].tolist() == [7, 7, 7, 4]
    total = sum(sum(sizes) for sizes, _ in STEPS)
    assert int(single['bank']['ptr']) == total % BANK
    assert int(single['bank']['num_valid']) == BANK
    # the bank holds the newest BANK entries: the last step's 7
    last = 100 * (len(STEPS) - 1)
    assert sorted(single['bank']['indices'].tolist()) == list(
        range(last, last + BANK))
    assert torch.equal(r0['bank']['reliable'],
                       r0['bank']['confidences'] > 0.5)
