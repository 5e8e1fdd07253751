"""Generate the synthetic motion video data set (class = motion only).

Example::

    python tools/data/synthetic/generate.py --out data/synthetic_motion \\
        --num-classes 10 --train-per-class 200 --val-per-class 20 \\
        --size 64 --frames 16 32 --seed 0 --workers 2

Writes ``videos/{train,val}/*.mp4``, ``train.txt``, ``val.txt``,
``classes.txt`` and ``meta.json`` under ``--out``; see
``tools/data/synthetic/README.md``.
"""
import argparse
import json
import sys
import time

from mmssar.datasets.synthetic_motion import (CLASS_NAMES,
                                              generate_synthetic_motion)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate synthetic videos whose class is defined only '
        'by motion, with train/val lists in MMAction2 VideoDataset format.')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--num-classes',
        type=int,
        default=10,
        help=f'number of classes, 2 to {len(CLASS_NAMES)} (default 10)')
    parser.add_argument('--train-per-class', type=int, default=200,
                        help='training clips per class (default 200)')
    parser.add_argument('--val-per-class', type=int, default=20,
                        help='validation clips per class (default 20)')
    parser.add_argument('--size', type=int, default=64,
                        help='frame height and width in pixels (default 64)')
    parser.add_argument(
        '--frames',
        type=int,
        nargs=2,
        default=(16, 32),
        metavar=('MIN', 'MAX'),
        help='inclusive range of frames per clip (default 16 32)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of everything (default 0)')
    parser.add_argument('--workers', type=int, default=2,
                        help='worker processes; output does not depend on '
                        'it (default 2)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    try:
        info = generate_synthetic_motion(
            args.out,
            num_classes=args.num_classes,
            num_train_per_class=args.train_per_class,
            num_val_per_class=args.val_per_class,
            size=args.size,
            frames=args.frames,
            seed=args.seed,
            workers=args.workers)
    except (ValueError, FileExistsError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(f'wrote {info["num_train"]} train and {info["num_val"]} val clips '
          f'of {len(info["classes"])} classes to {args.out} in '
          f'{time.time() - start:.1f} s')
    print(json.dumps({k: info[k] for k in ('train_list', 'val_list',
                                           'classes_file', 'meta_file')}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
