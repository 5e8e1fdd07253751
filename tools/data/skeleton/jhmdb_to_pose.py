"""Convert JHMDB ground-truth 2-D joints into a PoseDataset pickle.

Example::

    python tools/data/skeleton/jhmdb_to_pose.py \
        ../shared/data/skeleton/jhmdb_gt_pose \
        data/skeleton/jhmdb_gt_2d.pkl

Reads ``GT_{train,test}_{n}.pkl`` (dicts of ``pose`` T x 15 x 2 arrays and
class-name ``label``s) and writes splits ``train{n}`` / ``test{n}``. Use it
with ``mmssar.models.utils.graphs.JHMDB_LAYOUT``.
"""
import argparse
import os
import os.path as osp
import sys

from mmssar.datasets.skeleton_formats import convert_jhmdb, dump_pose_pickle


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='folder with GT_{train,test}_{n}.pkl')
    parser.add_argument('out', help='output .pkl')
    parser.add_argument(
        '--splits',
        type=int,
        nargs='+',
        default=[1, 2, 3],
        choices=[1, 2, 3],
        help='official split numbers to convert (default: 1 2 3)')
    args = parser.parse_args(argv)
    try:
        data = convert_jhmdb(args.src, args.splits)
    except (ValueError, FileNotFoundError) as exc:
        print(f'jhmdb_to_pose: error: {exc}', file=sys.stderr)
        return 1
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    dump_pose_pickle(data, args.out)
    sizes = ', '.join(f'{k}: {len(v)}' for k, v in data['split'].items())
    print(f'{len(data["label_names"])} classes ({sizes}) -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
