"""Rows of the synthetic motion set, shared by the method benchmarks.

Every row is one ``tools/train.py`` run of a config (plus ``--cfg-options``)
on the synthetic motion set (10 classes, 20 labels per class, the
quickstart's tiny 3D CNN), trained in ``<work-dir>/synthetic/<row>`` and
cached like every benchmark run (``mmssar.utils.experiment.train_config``),
so the rows that several benchmarks print (labeled-only, FixMatch, full
supervision) are trained once.

Seeds: seed 0 is the data set of ``make demo`` (``--synthetic-root``) and the
configs as they are; seed ``s > 0`` generates the set and its split with
seed ``s`` in ``<synthetic-root>_seed<s>`` and sets ``randomness.seed=s``
(rows in ``<row>_seed<s>``). Rows are reported as mean and std over seeds.
"""
import argparse
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mmssar.utils.experiment import (mean_std, paired_difference,  # noqa
                                     prepare_synthetic, seed_run_name, top1,
                                     train_config)

Q = 'configs/quickstart/'
#: rows every method benchmark can print next to its own
CONTROLS = dict(
    labeled_only=(Q + 'labeled-only_tiny-slowonly_1500it_synthetic-20shot.py',
                  []),
    fixmatch=(Q + 'fixmatch_tiny-slowonly_1500it_synthetic-20shot.py', []),
    full=(Q + 'full-supervised_tiny-slowonly_1500it_synthetic.py', []))

Row = Tuple[str, List[str]]


def parse_args(description: str, rows: Dict[str, Row],
               argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--synthetic-root', default='data/synthetic_motion')
    parser.add_argument('--work-dir', default='work_dirs/benchmarks')
    parser.add_argument('--only', nargs='+', choices=list(rows))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0])
    parser.add_argument('--max-iters', type=int, default=None,
                        help='shorten every row (a smoke run)')
    return parser.parse_args(argv)


def data_root(root: str, seed: int) -> str:
    return root if seed == 0 else f'{root}_seed{seed}'


def train_rows(rows: Dict[str, Row], args: argparse.Namespace,
               tag: str) -> Dict[str, List[dict]]:
    """Train (or reuse) every row for every seed: ``row -> [metrics]``."""
    results: Dict[str, List[dict]] = {}
    for seed in args.seeds:
        root = data_root(args.synthetic_root, seed)
        data = prepare_synthetic(root, seed)
        for name in args.only or rows:
            config, options = rows[name]
            options = list(options)
            if seed:
                options.append(f'randomness.seed={seed}')
            if args.max_iters:
                options += [f'train_cfg.max_iters={args.max_iters}',
                            f'train_cfg.val_interval={args.max_iters}']
            print(f'[{tag}] {name} seed {seed}: {config} {options}',
                  flush=True)
            results.setdefault(name, []).append(train_config(
                config,
                osp.join(args.work_dir, 'synthetic',
                         seed_run_name(name, seed)),
                options,
                env=dict(MMSSAR_SYNTH_ROOT=root),
                key_extra=dict(data=data)))
    return results


def report(results: Dict[str, List[dict]],
           compare: Sequence[Tuple[str, str]] = (),
           start: Optional[float] = None) -> List[str]:
    """Print the table; returns the ``key=value`` pairs (top-1 % means and
    stds, ``<a>_minus_<b>`` (with ``_std``, the sample std of the per-seed
    differences, when both rows have the same seeds) and
    ``<a>_over_<b>_iter_cost`` for each pair of ``compare`` that was
    run)."""
    print(f'\n{"row":<26}{"top-1 %":>9}{"std":>6}{"s/iter":>8}'
          f'{"minutes":>9}  per seed')
    acc = {n: mean_std([top1(m) for m in ms]) for n, ms in results.items()}
    cost = {n: mean_std([m.get('iter_time', 0.) for m in ms])[0]
            for n, ms in results.items()}
    for name, ms in results.items():
        minutes = sum(m['minutes'] for m in ms)
        spread = f'{acc[name][1]:>6.1f}' if len(ms) > 1 else f'{"-":>6}'
        print(f'{name:<26}{acc[name][0]:>9.1f}{spread}'
              f'{cost[name]:>8.3f}{minutes:>9.1f}  '
              + ' / '.join(f'{top1(m):.1f}' for m in ms))
    pairs = []
    for name in results:
        pairs.append(f'{name}_top1={acc[name][0]:.1f}')
        if len(results[name]) > 1:
            pairs.append(f'{name}_top1_std={acc[name][1]:.1f}')
    for a, b in compare:
        if a in results and b in results:
            pairs.append(f'{a}_minus_{b}={acc[a][0] - acc[b][0]:.1f}')
            if len(results[a]) == len(results[b]):
                diff = paired_difference(
                    dict(enumerate(map(top1, results[a]))),
                    dict(enumerate(map(top1, results[b]))))
                if diff is not None and diff[1] is not None:
                    pairs.append(f'{a}_minus_{b}_std={diff[1]:.1f}')
            if cost[b]:
                pairs.append(f'{a}_over_{b}_iter_cost='
                             f'{cost[a] / cost[b]:.2f}')
    if start is not None:
        pairs.append(f'minutes={(time.time() - start) / 60:.1f}')
    return pairs


def main(description: str, rows: Dict[str, Row],
         compare: Sequence[Tuple[str, str]] = (),
         argv: Optional[Sequence[str]] = None) -> List[str]:
    """Parse the command line, train the rows, print the table and the
    ``key=value`` line (returned as a list)."""
    start = time.time()
    args = parse_args(description, rows, argv)
    tag = description.split(':')[0]
    pairs = report(train_rows(rows, args, tag), compare, start)
    print(' '.join(pairs))
    return pairs
