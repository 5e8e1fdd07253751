"""Convert raw NTU RGB+D ``.skeleton`` files into a PoseDataset pickle.

Example::

    python tools/data/skeleton/ntu_to_pose.py nturgb+d_skeletons \
        data/skeleton/ntu60_3d_raw.pkl --benchmark ntu60 \
        --ignore ../shared/data/splits/ntu60/<missing-skeleton list>.txt

Splits: NTU-60 ``xsub_{train,val}`` / ``xview_{train,val}``, NTU-120
``xsub_{train,val}`` / ``xset_{train,val}``. Keypoints are the raw joint
coordinates (M <= --max-bodies bodies, no denoising or normalisation); use
the ``'nturgb+d'`` graph layout.
"""
import argparse
import glob
import os
import os.path as osp
import sys

from mmssar.datasets.skeleton_formats import (NTU_BENCHMARKS, convert_ntu,
                                              dump_pose_pickle)


def read_ignore_list(path: str) -> list:
    """Sample names, one per line (extensions are dropped)."""
    with open(path, encoding='utf-8') as f:
        return [osp.splitext(line.strip())[0] for line in f if line.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='folder of .skeleton files')
    parser.add_argument('out', help='output .pkl')
    parser.add_argument(
        '--benchmark', default='ntu60', choices=sorted(NTU_BENCHMARKS))
    parser.add_argument(
        '--max-bodies', type=int, default=2, help='bodies kept per sample')
    parser.add_argument(
        '--ignore', help='text file of sample names to leave out')
    args = parser.parse_args(argv)
    paths = sorted(glob.glob(osp.join(args.src, '*.skeleton')))
    try:
        if not paths:
            raise ValueError(f'no .skeleton file in {args.src}')
        ignore = read_ignore_list(args.ignore) if args.ignore else []
        data = convert_ntu(paths, args.benchmark, args.max_bodies, ignore)
    except (ValueError, FileNotFoundError) as exc:
        print(f'ntu_to_pose: error: {exc}', file=sys.stderr)
        return 1
    skipped = data.pop('skipped')
    if skipped:
        print(f'ntu_to_pose: warning: {len(skipped)} file(s) without any '
              f'body left out: {skipped[:10]}', file=sys.stderr)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    dump_pose_pickle(data, args.out)
    sizes = ', '.join(f'{k}: {len(v)}' for k, v in data['split'].items())
    print(f'{len(data["annotations"])} samples ({sizes}) -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
