"""Overlay the training curves of semi-supervised runs into one PNG.

Reads each work dir's ``vis_data/scalars.json`` (MMEngine's local log):
supervised / unsupervised loss (and other loss terms, e.g. LTG's
contrastive one), mask ratio, pseudo-label accuracy (all /
kept) and, where logged, per-class mask ratio, unsup weight, threshold and
teacher / student validation top-1.

Example::

    python tools/analysis/plot_ssl_curves.py work_dirs/demo/labeled_only \\
        work_dirs/demo/fixmatch --labels "labeled only" FixMatch \\
        --out curves.png
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmssar.utils.ssl_curves import plot_ssl_curves  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+', metavar='WORK_DIR',
                        help='work dirs of tools/train.py (or scalars.json)')
    parser.add_argument('--labels', nargs='+',
                        help='legend name per run (default: dir names)')
    parser.add_argument('--out', default='ssl_curves.png',
                        help='output PNG (default: ssl_curves.png)')
    parser.add_argument('--title', help='figure title')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        plot_ssl_curves(args.work_dirs, args.labels, args.out, args.title)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
