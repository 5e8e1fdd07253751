"""Convert NW-UCLA skeleton JSON files into a PoseDataset pickle.

Example::

    python tools/data/skeleton/nwucla_to_pose.py \
        ../shared/data/skeleton/nw_ucla \
        data/skeleton/nwucla_3d.pkl

The pickle has the splits ``xview_train`` (views 1, 2), ``xview_val``
(view 3) and ``view1`` ... ``view3``; labels 0-9 follow the sorted action ids
a01-a12 without a07 and a10. Use it with
``mmssar.models.utils.graphs.KINECT_V1_LAYOUT``.
"""
import argparse
import glob
import os
import os.path as osp
import sys
from collections import Counter

from mmssar.datasets.skeleton_formats import convert_nwucla, dump_pose_pickle


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='folder of aAA_sSS_eEE_vVV.json files')
    parser.add_argument('out', help='output .pkl')
    args = parser.parse_args(argv)
    paths = sorted(glob.glob(osp.join(args.src, '*.json')))
    try:
        if not paths:
            raise ValueError(f'no .json file in {args.src}')
        data = convert_nwucla(paths)
    except (ValueError, FileNotFoundError) as exc:
        print(f'nwucla_to_pose: error: {exc}', file=sys.stderr)
        return 1
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    dump_pose_pickle(data, args.out)
    labels = Counter(a['label'] for a in data['annotations'])
    sizes = ', '.join(f'{k}: {len(v)}' for k, v in data['split'].items())
    print(f'{len(data["annotations"])} clips, {len(labels)} classes '
          f'({sizes}) -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
