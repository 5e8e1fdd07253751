"""Per-clip cost of clip-consistent RandAugment: pipeline vs batched.

Compares :class:`mmssar.datasets.transforms.VideoRandAugment` (numpy/cv2,
one clip at a time inside a data pipeline, i.e. in a dataloader worker) with
:class:`mmssar.models.data_preprocessors.batch_augment.BatchVideoRandAugment`
(torch, a whole collated batch) on CPU, and on CUDA when available.

Example::

    python benchmarks/strong_aug_speed.py --batch-size 8 --iters 5

The last line holds the key numbers as ``key=value`` pairs.
"""
import argparse
import time

import cv2
import numpy as np
import torch
from mmengine.dataset import Compose

import mmssar  # noqa: F401  (compat patches, registries)
from mmssar.datasets.transforms import VideoRandAugment
from mmssar.models.data_preprocessors.batch_augment import \
    BatchVideoRandAugment


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--shapes',
        nargs='+',
        default=['8x112x112', '16x224x224'],
        help='clip shapes as TxHxW')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--iters', type=int, default=5, help='timed batches per setting')
    parser.add_argument('--num-ops', type=int, default=2)
    parser.add_argument('--magnitude', type=float, default=10.)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--preset',
        default=None,
        help='also time VideoRandAugment(preset=...), e.g. ltg_imgaug')
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch and cv2 threads (1 mimics one dataloader worker)')
    return parser.parse_args()


def time_pipeline(clips, num_ops, magnitude, iters, preset=None):
    """Milliseconds per clip of VideoRandAugment inside a Compose."""
    aug = (VideoRandAugment(preset=preset) if preset else VideoRandAugment(
        num_ops=num_ops, magnitude=magnitude))
    pipeline = Compose([aug])
    pipeline(dict(imgs=list(clips[0])))  # warm-up
    start = time.perf_counter()
    for _ in range(iters):
        for clip in clips:
            pipeline(dict(imgs=list(clip)))
    return (time.perf_counter() - start) * 1e3 / (iters * len(clips))


def time_batch(clips, num_ops, magnitude, iters, device):
    """Milliseconds per clip of BatchVideoRandAugment on one batch."""
    aug = BatchVideoRandAugment(num_ops=num_ops, magnitude=magnitude)
    aug = aug.to(device)
    # (N, T, H, W, C) uint8 -> (N, num_clips=1, C, T, H, W) float, as the
    # data preprocessor sees it before normalisation.
    batch = torch.from_numpy(np.stack(clips)).to(device)
    batch = batch.permute(0, 4, 1, 2, 3)[:, None].float()

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    aug(batch)  # warm-up (kernels, allocator)
    sync()
    start = time.perf_counter()
    for _ in range(iters):
        aug(batch)
    sync()
    return (time.perf_counter() - start) * 1e3 / (iters * len(clips))


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    devices = [torch.device('cpu')]
    if torch.cuda.is_available():
        devices.append(torch.device('cuda'))
    rng = np.random.default_rng(args.seed)

    rows, summary = [], {}
    for shape in args.shapes:
        t, h, w = (int(v) for v in shape.lower().split('x'))
        clips = [
            rng.integers(0, 256, (t, h, w, 3), dtype=np.uint8)
            for _ in range(args.batch_size)
        ]
        tag = f'{t}x{h}x{w}'
        ms = time_pipeline(clips, args.num_ops, args.magnitude, args.iters)
        rows.append((tag, 'VideoRandAugment (pipeline, 1 proc)', ms))
        summary[f'cpu_ms_per_clip_{tag}'] = ms
        if args.preset:
            ms = time_pipeline(clips, args.num_ops, args.magnitude,
                               args.iters, args.preset)
            rows.append((tag, f'VideoRandAugment ({args.preset})', ms))
            summary[f'cpu_{args.preset}_ms_per_clip_{tag}'] = ms
        for device in devices:
            ms = time_batch(clips, args.num_ops, args.magnitude, args.iters,
                            device)
            rows.append((tag, f'BatchVideoRandAugment ({device.type}, '
                         f'N={args.batch_size})', ms))
            summary[f'batch_{device.type}_ms_per_clip_{tag}'] = ms

    print(f'num_ops={args.num_ops} magnitude={args.magnitude} '
          f'threads={args.threads} batch_size={args.batch_size}')
    print(f'{"clip":>12} | {"implementation":<40} | ms/clip')
    print('-' * 66)
    for tag, name, ms in rows:
        print(f'{tag:>12} | {name:<40} | {ms:8.2f}')
    print(' '.join(f'{k}={v:.3f}' for k, v in summary.items()))


if __name__ == '__main__':
    main()
