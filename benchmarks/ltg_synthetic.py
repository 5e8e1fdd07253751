"""LTG on the synthetic motion set, where classes are defined by motion.

Rows: labeled-only, FixMatch, LTG, fully supervised — the quickstart tiny 3D
CNN, 20 labels per class, the same schedule — plus the cost of an LTG
iteration relative to a FixMatch iteration (median seconds per iteration in
the training logs; both runs on the same machine).

Example::

    python benchmarks/ltg_synthetic.py

Prints a table and ends with one line of ``key=value`` pairs.
"""
import argparse
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmssar.utils.experiment import (prepare_synthetic, top1,  # noqa: E402
                                     train_config)

Q = 'configs/quickstart/'
RUNS = dict(
    labeled_only=Q + 'labeled-only_tiny-slowonly_1500it_synthetic-20shot.py',
    fixmatch=Q + 'fixmatch_tiny-slowonly_1500it_synthetic-20shot.py',
    ltg='configs/ltg/ltg_tiny-slowonly_1500it_synthetic-20shot.py',
    full=Q + 'full-supervised_tiny-slowonly_1500it_synthetic.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--synthetic-root', default='data/synthetic_motion')
    parser.add_argument('--work-dir', default='work_dirs/benchmarks')
    parser.add_argument('--only', nargs='+', choices=list(RUNS))
    parser.add_argument('--max-iters', type=int, default=None)
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.time()
    data = prepare_synthetic(args.synthetic_root)
    options = []
    if args.max_iters:
        options = [f'train_cfg.max_iters={args.max_iters}',
                   f'train_cfg.val_interval={args.max_iters}']
    results = {}
    for name in args.only or RUNS:
        print(f'[ltg benchmark] {name}: {RUNS[name]}', flush=True)
        results[name] = train_config(
            RUNS[name], osp.join(args.work_dir, 'synthetic', name), options,
            env=dict(MMSSAR_SYNTH_ROOT=args.synthetic_root),
            key_extra=dict(data=data))
    print(f'\n{"method":<16}{"top-1 %":>10}{"s/iter":>10}{"minutes":>10}')
    for name, m in results.items():
        print(f'{name:<16}{top1(m):>10.1f}{m.get("iter_time", 0):>10.3f}'
              f'{m["minutes"]:>10.1f}')
    pairs = [f'{n}_top1={top1(m):.1f}' for n, m in results.items()]
    if 'ltg' in results and 'fixmatch' in results:
        ratio = results['ltg']['iter_time'] / results['fixmatch']['iter_time']
        pairs.append(f'ltg_over_fixmatch_iter_cost={ratio:.2f}')
    pairs.append(f'minutes={(time.time() - start) / 60:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
