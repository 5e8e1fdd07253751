"""Make the data of the quickstart configs (configs/quickstart).

Examples::

    # synthetic motion set + its 20-labels-per-class split
    python tools/data/prepare_quickstart.py synthetic --root data/synthetic_motion
    # NW-UCLA pose pickle + its 10-per-class cross-view split
    python tools/data/prepare_quickstart.py nwucla \\
        --src ../shared/data/skeleton/nw_ucla --root data/skeleton

Both are no-ops when the data is already there. ``make demo`` and the
benchmark scripts call the same helpers (:mod:`mmssar.utils.experiment`).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmssar.utils.experiment import (SYNTHETIC_SHOTS,  # noqa: E402
                                     prepare_nwucla, prepare_synthetic)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='data', required=True)
    synth = sub.add_parser('synthetic', help='the synthetic motion set')
    synth.add_argument('--root', default='data/synthetic_motion')
    synth.add_argument('--seed', type=int, default=0)
    synth.add_argument('--shots', type=int, nargs='+',
                       default=[SYNTHETIC_SHOTS],
                       help='labels per class of the splits to write')
    ucla = sub.add_parser('nwucla', help='NW-UCLA skeletons')
    ucla.add_argument('--src', default='../shared/data/skeleton/nw_ucla',
                      help='the unpacked NW-UCLA skeleton release')
    ucla.add_argument('--root', default='data/skeleton')
    ucla.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.data == 'synthetic':
        prepare_synthetic(args.root, args.seed, args.shots)
    else:
        if not osp.isdir(args.src):
            print(f'error: NW-UCLA source folder not found: {args.src} '
                  '(see docs/data_preparation.md, "NW-UCLA")',
                  file=sys.stderr)
            return 2
        prepare_nwucla(args.src, args.root, args.seed)
    print(f'{args.data} data ready in {args.root}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
