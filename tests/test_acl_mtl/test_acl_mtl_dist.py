"""Two gloo processes train ACL+MTL memories exactly as one process fed the
doubled batch: prototypes, bank and GMM identical on both ranks and equal
to the single-process run; a state_dict round trip mid-run reproduces the
later steps on every rank."""
import datetime
import os
import time
import traceback

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

WORLD = 2
TIMEOUT_S = 240
STEPS = 3
RESUME_AT = 2
N_SUP, HIDDEN = 4, (0, 1, 2, 1, 0, 2, 2, 1)


def _slice(pair, rank, world):
    """Rank ``rank``'s contiguous share of a (labeled, unlabeled) pair."""
    sup, unsup = pair

    def cut(items):
        n = len(items) // world
        return items[rank * n:(rank + 1) * n]

    return (dict(inputs=cut(sup['inputs']),
                 data_samples=cut(sup['data_samples'])),
            dict(inputs={v: cut(x) for v, x in unsup['inputs'].items()},
                 data_samples=cut(unsup['data_samples'])))


def _memory_state(model):
    return {k: v.clone() for k, v in model.state_dict().items()
            if k.startswith('memories.')}


def _run(rank, world):
    from mmengine.registry import DefaultScope

    from acl_mtl_utils import acl_batches, build_acl_mtl
    kwargs = dict(acl=dict(reliability=dict(interval=2, min_samples=4)))
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = build_acl_mtl(**kwargs)
        # eval: BN on running statistics, so features do not depend on how
        # the batch is split; the memories are written all the same
        model.eval()
        resumed, losses = None, []
        for step in range(STEPS):
            if step == RESUME_AT:
                resumed = build_acl_mtl(seed=7, **kwargs)
                resumed.eval()
                resumed.load_state_dict(model.state_dict())
            pair = _slice(
                acl_batches(n_sup=N_SUP, hidden=HIDDEN, seed=step), rank,
                world)
            for net in (model, resumed):
                if net is None:
                    continue
                data = net.data_preprocessor(pair, True)
                out = net(**data, mode='loss')
                if net is model:
                    losses.append({k: v.detach() for k, v in out.items()})
        return dict(state=_memory_state(model),
                    resumed=_memory_state(resumed), losses=losses)


def _worker(rank, init_file, out_file, test_dir):
    import sys
    sys.path.insert(0, test_dir)
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank,
        world_size=WORLD, timeout=datetime.timedelta(seconds=120))
    try:
        torch.save(_run(rank, WORLD), f'{out_file}.{rank}')
        dist.barrier()
        dist.destroy_process_group()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


@pytest.mark.dist
def test_two_ranks_equal_one_process_with_the_doubled_batch(tmp_path):
    out_file = str(tmp_path / 'out')
    test_dir = os.path.dirname(os.path.abspath(__file__))
    context = mp.spawn(_worker,
                       args=(str(tmp_path / 'init'), out_file, test_dir),
                       nprocs=WORLD, join=False)
    deadline = time.monotonic() + TIMEOUT_S
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for proc in context.processes:
                proc.kill()
            pytest.fail(f'2-process gloo run did not finish in {TIMEOUT_S} s')
    per_rank = [torch.load(f'{out_file}.{r}') for r in range(WORLD)]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        single = _run(0, 1)
    finally:
        torch.set_num_threads(threads)

    ref = single['state']
    # 24 pushes into 16 slots: the bank has wrapped
    assert int(ref['memories.acl_bank.num_valid']) == 16
    assert int(ref['memories.acl_bank.ptr']) == STEPS * len(HIDDEN) % 16
    assert bool(ref['memories.acl_reliability.fitted'])
    assert ref['memories.acl_prototypes.initialized'].all()
    for res in per_rank:
        for key, value in ref.items():
            torch.testing.assert_close(res['state'][key], value, msg=key)
            torch.testing.assert_close(res['resumed'][key], value, msg=key)
    # equal per-rank batches: the mean of the rank means is the global mean
    for step in range(STEPS):
        for key in ('unsup_loss_cls', 'loss_mtl_align', 'loss_mtl_calib'):
            mean = sum(r['losses'][step][key] for r in per_rank) / WORLD
            torch.testing.assert_close(mean, single['losses'][step][key],
                                       msg=key)
