"""SeFAR on the synthetic motion set: FixMatch vs SeFAR vs each component
removed, and the paper's temporal reversal vs the official channel flip.

Same tiny 3D CNN, 20 labels per class, 1,500 CPU iterations for every row
(the quickstart FixMatch config is the baseline). Rows:

* ``fixmatch``: configs/quickstart FixMatch;
* ``sefar``: configs/sefar tiny config (elements, reversal, Ada-Reg, mix);
* ``no_regulation``: every pseudo-label weight 1;
* ``no_mix``: no Tube-TokenMix branch;
* ``no_elements``: a plain 8-frame student, same strong view and losses;
* ``channel_flip``: the released code's colour flip + channel dropout.

Example::

    python benchmarks/sefar_synthetic.py

Prints a table and ends with one line of ``key=value`` pairs (top-1 % of
the EMA teacher where there is one, as every row reports).
"""
import argparse
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmssar.utils.experiment import (prepare_synthetic, top1,  # noqa: E402
                                     train_config)

S = 'configs/sefar/'
TINY = S + 'sefar_tiny-slowonly_1500it_synthetic-20shot.py'
RUNS = dict(
    fixmatch=('configs/quickstart/'
              'fixmatch_tiny-slowonly_1500it_synthetic-20shot.py', []),
    sefar=(TINY, []),
    no_regulation=(TINY, ['model.semi_train_cfg.regulation=None']),
    no_mix=(TINY, ['model.semi_train_cfg.token_mix=None']),
    no_elements=(S + 'sefar_tiny-slowonly-plain-student_1500it_'
                 'synthetic-20shot.py', []),
    channel_flip=(S + 'sefar_tiny-slowonly-official-channel-flip_1500it_'
                  'synthetic-20shot.py', []))


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
    results = {}
    for name in args.only or RUNS:
        config, options = RUNS[name]
        options = list(options)
        if args.max_iters:
            options += [f'train_cfg.max_iters={args.max_iters}',
                        f'train_cfg.val_interval={args.max_iters}']
        print(f'[sefar benchmark] {name}: {config} {options}', flush=True)
        results[name] = train_config(
            config, osp.join(args.work_dir, 'sefar_synthetic', name),
            options, env=dict(MMSSAR_SYNTH_ROOT=args.synthetic_root),
            key_extra=dict(data=data))
    print(f'\n{"row":<16}{"top-1 %":>10}{"minutes":>10}')
    for name, m in results.items():
        print(f'{name:<16}{top1(m):>10.1f}{m["minutes"]:>10.1f}')
    pairs = [f'{n}_top1={top1(m):.1f}' for n, m in results.items()]
    if 'sefar' in results and 'fixmatch' in results:
        gain = top1(results['sefar']) - top1(results['fixmatch'])
        pairs.append(f'sefar_minus_fixmatch={gain:.1f}')
    pairs.append(f'minutes={(time.time() - start) / 60:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
