"""Precompute temporal-gradient (TG) frames for a rawframe data set.

For every frame folder under ``--src`` (a folder holding
``filename_tmpl.format(start_index)``, ``...format(start_index + 1)``, ...),
writes TG frame ``k`` = ``floor((img_k - img_{k+1} + 255) / 2)`` per channel
(the LTG mapping; a static pixel gives 127) as JPEG into the same relative
folder under ``--dst``, named with ``--out-tmpl`` (default: the input
template, so a ``RawframeDataset`` with the same annotation file and
``data_prefix=dst`` reads the TG frames). The last frame has no successor and
gets the static frame (next frame clamped to itself), so every RGB frame has
a TG frame. For the official layout (``tempgrad_{:05d}.jpg`` next to the RGB
frames) use ``--dst`` equal to ``--src`` and
``--out-tmpl 'tempgrad_{:05d}.jpg'``.

In a pipeline, read the frames with ``LoadOfflineTemporalGradient`` (see
``mmssar/datasets/transforms/temporal_gradient.py``).

Example::

    python tools/data/extract_temporal_gradient.py \
        --src data/ucf101/rawframes --dst data/ucf101/tg_frames --workers 8
"""
import argparse
import os
import os.path as osp
import sys
from multiprocessing import Pool
from typing import List, Optional, Tuple

import cv2
import numpy as np


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Extract temporal-gradient JPEG frames from rawframes')
    parser.add_argument('--src', required=True, help='rawframe root')
    parser.add_argument('--dst', required=True, help='output root')
    parser.add_argument(
        '--filename-tmpl',
        default='img_{:05}.jpg',
        help='template of the input frame names')
    parser.add_argument(
        '--out-tmpl',
        default=None,
        help='template of the output names (default: --filename-tmpl)')
    parser.add_argument(
        '--start-index', type=int, default=1, help='index of the 1st frame')
    parser.add_argument(
        '--workers', type=int, default=1, help='parallel processes')
    parser.add_argument(
        '--jpeg-quality', type=int, default=95, help='JPEG quality (0-100)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='recompute folders whose TG frames all exist already')
    args = parser.parse_args(argv)
    if args.out_tmpl is None:
        args.out_tmpl = args.filename_tmpl
    if not osp.isdir(args.src):
        parser.error(f'--src {args.src} is not a directory')
    if osp.abspath(args.src) == osp.abspath(args.dst) and \
            args.out_tmpl == args.filename_tmpl:
        parser.error('writing into --src with the input template would '
                     'overwrite the RGB frames; give --out-tmpl')
    return args


def count_frames(folder: str, tmpl: str, start_index: int) -> int:
    """Number of consecutive frames ``tmpl.format(start_index + i)``."""
    n = 0
    while osp.isfile(osp.join(folder, tmpl.format(start_index + n))):
        n += 1
    return n


def find_frame_dirs(src: str, tmpl: str, start_index: int) -> List[str]:
    """Folders (relative to ``src``, sorted) that hold a first frame."""
    found = []
    for root, dirs, _ in os.walk(src):
        dirs.sort()
        if osp.isfile(osp.join(root, tmpl.format(start_index))):
            found.append(osp.relpath(root, src))
    return sorted(found)


def _read(path: str) -> np.ndarray:
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise IOError(f'cannot read image {path}')
    return img


def extract_dir(job: Tuple[str, str, argparse.Namespace]) -> int:
    """Write the TG frames of one folder; returns the number written."""
    src_dir, dst_dir, args = job
    num = count_frames(src_dir, args.filename_tmpl, args.start_index)
    if not args.overwrite and num == count_frames(dst_dir, args.out_tmpl,
                                                  args.start_index):
        return 0
    os.makedirs(dst_dir, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, args.jpeg_quality]
    idx = args.start_index
    cur_path = osp.join(src_dir, args.filename_tmpl.format(idx))
    cur = _read(cur_path)
    for i in range(num):
        idx = args.start_index + i
        if i + 1 < num:
            nxt_path = osp.join(src_dir, args.filename_tmpl.format(idx + 1))
            nxt = _read(nxt_path)
            if nxt.shape != cur.shape:
                raise ValueError(f'frame size changes between {cur_path} '
                                 f'{cur.shape} and {nxt_path} {nxt.shape}')
        else:
            nxt_path, nxt = cur_path, cur
        # int16 is exact; >> 1 is floor for the non-negative sum.
        tg = ((cur.astype(np.int16) - nxt.astype(np.int16) + 255) >> 1)
        out = osp.join(dst_dir, args.out_tmpl.format(idx))
        if not cv2.imwrite(out, tg.astype(np.uint8), params):
            raise IOError(f'cannot write {out}')
        cur_path, cur = nxt_path, nxt
    return num


def main(argv: Optional[List[str]] = None) -> int:
    """Run the extraction; returns the number of TG frames written."""
    args = parse_args(argv)
    rel_dirs = find_frame_dirs(args.src, args.filename_tmpl, args.start_index)
    if not rel_dirs:
        print(f'no frame folder with {args.filename_tmpl} found under '
              f'{args.src}', file=sys.stderr)
        return 0
    jobs = [(osp.join(args.src, d), osp.join(args.dst, d), args)
            for d in rel_dirs]
    if args.workers > 1:
        with Pool(args.workers) as pool:
            counts = list(pool.imap_unordered(extract_dir, jobs, chunksize=4))
    else:
        counts = [extract_dir(job) for job in jobs]
    total = sum(counts)
    print(f'{len(rel_dirs)} folders, {total} TG frames written to {args.dst}')
    return total


if __name__ == '__main__':
    main()
