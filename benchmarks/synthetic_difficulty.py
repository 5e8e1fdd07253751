"""How hard is the synthetic motion data set? Few labels vs all labels.

Generates the default data set (10 classes, 200 train + 20 val clips per
class, 64x64, 16-32 frames) and trains the quickstart's tiny SlowOnly-R18
(``configs/quickstart/labeled-only_tiny-slowonly_1500it_synthetic-20shot.py``:
1,500 iterations of batch 8, AdamW, ``UniformSample(clip_len=8)``,
``RandomResizedCrop``, no flip) on K labelled clips per class for each K of
``--shots``, and on all 2,000 training clips (the fully supervised
quickstart config). Every run is an ordinary ``tools/train.py`` run; all are
evaluated on the same 200 validation clips. A data set that is useful for
semi-supervised learning shows a large gap between few labels and all labels.

Usage::

    python benchmarks/synthetic_difficulty.py [--shots 5 10 20]

Prints a table and, as its last line, ``labeled5_top1=.. ... full_top1=..
minutes=..`` (top-1 in percent after the last iteration; minutes of the
whole script, including runs reused from an earlier call).
"""
import argparse
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmssar.utils.experiment import (SYNTHETIC_SHOTS,  # noqa: E402
                                     prepare_synthetic, top1, train_config)

Q = 'configs/quickstart/'
LABELED = Q + 'labeled-only_tiny-slowonly_1500it_synthetic-20shot.py'
FULL = Q + 'full-supervised_tiny-slowonly_1500it_synthetic.py'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--shots', type=int, nargs='+', default=[5, 10, 20],
                        help='labelled clips per class of the few-label runs')
    parser.add_argument('--synthetic-root', default='data/synthetic_motion')
    parser.add_argument('--work-dir', default='work_dirs/benchmarks')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the data set and its splits')
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.time()
    t0 = time.time()
    data = prepare_synthetic(args.synthetic_root, args.seed, args.shots)
    prep_seconds = time.time() - t0
    env = dict(MMSSAR_SYNTH_ROOT=args.synthetic_root)
    root = osp.join(args.work_dir, 'synthetic')
    rows = []
    for k in args.shots:
        ann = osp.join(args.synthetic_root, 'splits',
                       f'train_{k}shot_labeled.txt')
        print(f'[difficulty] {k} labels per class', flush=True)
        # the quickstart's own split is the run of benchmarks/accuracy.py
        name, options = 'labeled_only', []
        if k != SYNTHETIC_SHOTS:
            name = f'labeled_only_{k}shot'
            options = [f'train_dataloader.dataset.dataset.ann_file={ann}']
        m = train_config(LABELED, osp.join(root, name), options, env=env,
                         key_extra=dict(data=data))
        rows.append((f'labeled{k}', k, m))
    print('[difficulty] all labels', flush=True)
    rows.append(('full', None,
                 train_config(FULL, osp.join(root, 'full'),
                              env=env, key_extra=dict(data=data))))

    minutes = (time.time() - start) / 60
    print(f'\nsynthetic motion set v{data["version"]} (seed {args.seed}); '
          f'data and splits ready in {prep_seconds:.0f} s')
    print('| run | labels per class | val top-1 % | train+val min |')
    print('|---|---|---|---|')
    for name, k, m in rows:
        print(f'| {name} | {k or "all (200)"} | {top1(m):.1f} | '
              f'{m["minutes"]:.1f} |')
    print(' '.join(f'{name}_top1={top1(m):.1f}' for name, _, m in rows)
          + f' minutes={minutes:.1f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
