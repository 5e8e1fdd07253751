"""Cost of the semi-supervised machinery around the model passes.

Measures, on the quickstart FixMatch model (or any semi config):

1. one FixMatch training iteration (data preprocessing, student passes,
   losses, monitoring, backward, optimizer step, EMA update) against the sum
   of its model passes timed alone (student forward+backward over the same
   clips, the optimizer step);
2. the cost of one 2-view (weak + strong) unlabeled sample against a 1-view
   labeled sample from the same videos (decode once, branch after): the
   fastest of ``--rounds`` interleaved rounds of each;
3. the EMA teacher update as a share of the iteration.

Example (makes the synthetic motion set first if it is missing)::

    python benchmarks/ssl_overhead.py --data-root data/synthetic_motion

The last line holds the figures as ``key=value`` pairs.
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

import mmssar  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402

from mmssar.models.utils import recognizer_logits  # noqa: E402
from mmssar.registry import DATASETS, MODELS  # noqa: E402
from mmssar.utils.data_check import check_data_files  # noqa: E402
from mmssar.utils.experiment import prepare_synthetic  # noqa: E402

CFG = 'configs/quickstart/fixmatch_tiny-slowonly_1500it_synthetic-20shot.py'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=CFG)
    parser.add_argument('--data-root', default='data/synthetic_motion')
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--samples', type=int, default=64)
    parser.add_argument('--rounds', type=int, default=7,
                        help='interleaved timing rounds of the 1-view and '
                        '2-view samples (the fastest of each is kept)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available()
                        else 'cpu')
    return parser.parse_args()


def timed(fn, n, device):
    times = []
    for _ in range(n):
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def batch(dataset, start, size):
    return pseudo_collate([dataset[(start + i) % len(dataset)]
                           for i in range(size)])


def main():
    args = parse_args()
    os.environ['MMSSAR_SYNTH_ROOT'] = args.data_root
    os.chdir(ROOT)
    cfg = Config.fromfile(args.config)
    if cfg.get('data_root') == args.data_root:
        # a config on the synthetic set (it reads MMSSAR_SYNTH_ROOT)
        prepare_synthetic(args.data_root)
    check_data_files(cfg)
    DefaultScope.get_instance('ssl_overhead', scope_name='mmssar')
    labeled = DATASETS.build(cfg.train_dataloader.dataset)
    unlabeled = DATASETS.build(cfg.train_cfg.unlabeled_dataloader.dataset)
    b = cfg.train_dataloader.batch_size
    ub = cfg.train_cfg.unlabeled_dataloader.batch_size

    # ---- 2-view vs 1-view sample cost (same videos, same decode) -------
    n = min(args.samples, len(unlabeled))
    # the labeled pipeline over the unlabeled videos = a 1-view sample
    ds_cfg = cfg.train_cfg.unlabeled_dataloader.dataset.copy()
    ds_cfg.dataset = ds_cfg.dataset.copy()
    ds_cfg.dataset.pipeline = cfg.train_dataloader.dataset.dataset.pipeline
    one_view = DATASETS.build(ds_cfg)
    for ds in (one_view, unlabeled):  # warm-up (file cache, decoder)
        for i in range(4):
            ds[i]
    # interleaved rounds, the fastest of each kind: decoding time swings
    # by 2x with anything else on the machine, and a sequential "all 1-view
    # rounds, then all 2-view rounds" puts each swing on one side only
    rounds = {1: [], 2: []}
    for _ in range(args.rounds):
        for views, ds in ((1, one_view), (2, unlabeled)):
            rounds[views].append(
                timed(lambda: [ds[i] for i in range(n)], 1, 'cpu'))
    t1, t2 = min(rounds[1]) / n, min(rounds[2]) / n

    # ---- iteration vs model passes -------------------------------------
    model = MODELS.build(cfg.model).to(args.device)
    model.init_weights()
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    sup, unsup = batch(labeled, 0, b), batch(unlabeled, 0, ub)

    def ssl_iter():
        model.train_step((sup, unsup), optim)
        model.update_teacher()

    data = model.data_preprocessor((sup, unsup), True)
    named = dict(sup=data['inputs']['sup'][model.sup_view])
    named.update({v: data['inputs']['unsup'][v]
                  for v in model.student_views})
    cat = torch.cat(list(named.values()))

    def passes():
        logits = recognizer_logits(model.student, cat)
        optim.update_params(logits.float().logsumexp(dim=1).mean())
        if getattr(model, 'source', 'student') == 'teacher':
            with torch.no_grad():
                recognizer_logits(model.teacher.module,
                                  data['inputs']['unsup']['weak'])

    for fn in (ssl_iter, passes):
        timed(fn, 2, args.device)  # warm-up
    # interleaved, so that load changes on a shared machine hit both alike
    it, ps, ema = [], [], []
    for _ in range(args.iters):
        it.append(timed(ssl_iter, 1, args.device))
        ps.append(timed(passes, 1, args.device))
        ema.append(timed(model.update_teacher, 1, args.device))
    t_iter, t_pass, t_ema = map(statistics.median, (it, ps, ema))

    print(f'config: {args.config}  device: {args.device}  '
          f'batch: {b} labeled + {ub} unlabeled (2 views)')
    print(f'{"measure":<46}{"value":>12}')
    print(f'{"SSL iteration (ms)":<46}{1e3 * t_iter:>12.1f}')
    print(f'{"sum of model passes alone (ms)":<46}{1e3 * t_pass:>12.1f}')
    print(f'{"iteration / passes":<46}{t_iter / t_pass:>12.3f}')
    print(f'{"1-view sample (ms)":<46}{1e3 * t1:>12.2f}')
    print(f'{"2-view sample (ms)":<46}{1e3 * t2:>12.2f}')
    print(f'{"2-view / 1-view sample":<46}{t2 / t1:>12.3f}')
    print(f'{"EMA update (ms)":<46}{1e3 * t_ema:>12.2f}')
    print(f'{"EMA share of the iteration (%)":<46}'
          f'{100 * t_ema / t_iter:>12.2f}')
    print(f'iter_over_passes={t_iter / t_pass:.3f} '
          f'two_view_over_one_view={t2 / t1:.3f} '
          f'ema_share_pct={100 * t_ema / t_iter:.2f} '
          f'iter_ms={1e3 * t_iter:.1f} passes_ms={1e3 * t_pass:.1f} '
          f'device={args.device}')


if __name__ == '__main__':
    main()
