"""Export the teacher or student of an SSL checkpoint as a plain MMAction2
recognizer checkpoint (tensors only), testable with the plain recognizer
config and ``tools/test.py``.

Example::

    python tools/misc/export_checkpoint.py work_dirs/x/iter_1500.pth \
        work_dirs/x/teacher.pth --which teacher
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmssar.utils.compat import apply_all  # noqa: E402

apply_all()

from mmssar.utils.checkpoint import export_recognizer  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint written by an mmssar run')
    parser.add_argument('dst', help='output plain recognizer checkpoint')
    parser.add_argument(
        '--which',
        choices=['teacher', 'student', 'rgb', 'tg'],
        default='teacher',
        help='network to export (default: the EMA teacher)')
    return parser.parse_args()


def main():
    args = parse_args()
    num = export_recognizer(args.src, args.dst, args.which)
    print(f'exported the {args.which} ({num} tensors) to {args.dst}')


if __name__ == '__main__':
    main()
