"""Mean training scalars of runs over their last iterations.

Prints one row per work dir with the mean of each scalar (by default the
pseudo-label statistics: accuracy against the hidden labels of all and of
the kept unlabeled clips, the kept share, and MTL's accuracy of the
short-clip pseudo-labels) over the last ``--last`` iterations, read from
MMEngine's ``vis_data/scalars.json``.

Example::

    python tools/analysis/ssl_log_summary.py \\
        work_dirs/benchmarks/rendered_nwucla_short/*_seed0 --last 500
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmssar.utils.ssl_curves import read_run, tail_means  # noqa: E402

KEYS = ('pl_acc', 'pl_acc_kept', 'mask_ratio', 'mtl_short_pl_acc')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+', metavar='WORK_DIR')
    parser.add_argument('--keys', nargs='+', default=list(KEYS))
    parser.add_argument('--last', type=int, default=500,
                        help='iterations at the end to average over')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    width = max(len(w) for w in args.work_dirs) + 2
    print(f'{"work dir":<{width}}' + ''.join(f'{k:>18}' for k in args.keys))
    for work_dir in args.work_dirs:
        means = tail_means(read_run(work_dir), args.keys, args.last)
        cells = ''.join(f'{"-":>18}' if v is None else f'{100 * v:>18.1f}'
                        for v in means.values())
        print(f'{work_dir:<{width}}{cells}')
    print(f'(means over the last {args.last} iterations, in %)')


if __name__ == '__main__':
    main()
