"""How hard is the synthetic motion data set? Few labels vs all labels.

Generates the default data set (10 classes, 80 train + 20 val clips per
class, 64x64, 16-32 frames), then trains the tiny SlowOnly-R18 of
``configs/_base_/models/tiny_slowonly.py`` with a plain MMEngine Runner
twice, for the same number of iterations:

* ``labeled5``: on 5 labelled clips per class (50 clips),
* ``full``: on all 800 training clips,

and evaluates both on the 200 validation clips. A data set that is useful
for semi-supervised learning shows a large gap between the two.

Usage::

    python benchmarks/synthetic_difficulty.py [--iters 2000] [--seed 0]

Prints a table and, as its last line, ``labeled5_top1=.. full_top1=..
minutes=..`` (top-1 in percent at the end of training; minutes of the whole
script).
"""
import argparse
import copy
import os.path as osp
import sys
import tempfile
import time

import mmssar  # noqa: F401  (compat patches before mmaction.models)
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmssar.datasets.synthetic_motion import (generate_synthetic_motion,
                                              read_video_list)
from mmssar.utils import register_all_modules

PROJECT_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
MODEL_CFG = osp.join(PROJECT_ROOT, 'configs', '_base_', 'models',
                     'tiny_slowonly.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=2000,
                        help='training iterations of each run')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--clip-len', type=int, default=8,
                        help='frames sampled uniformly over each clip')
    parser.add_argument('--labels-per-class', type=int, default=5)
    parser.add_argument('--val-interval', type=int, default=500)
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of data generation and training')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--work-dir', default=None,
                        help='keep data and logs here (default: a temp dir)')
    return parser.parse_args()


def subsample_list(src, dst, per_class):
    """Write the first ``per_class`` entries of each class of ``src``.

    The generator already shuffles the list, so the first ones are a random
    choice that is the same for every run with the same seed.
    """
    taken = {}
    with open(dst, 'w') as f:
        for path, label in read_video_list(src):
            if taken.get(label, 0) < per_class:
                taken[label] = taken.get(label, 0) + 1
                f.write(f'{path} {label}\n')
    return sum(taken.values())


def build_cfg(args, data_dir, train_list, work_dir):
    model = copy.deepcopy(Config.fromfile(MODEL_CFG)['model'])
    # Uniform sampling covers the whole clip whatever its length (16-32), so
    # every sample shows the complete motion; no flip, since a horizontal flip
    # turns line_right into line_left and circle_cw into circle_ccw.
    train_pipeline = [
        dict(type='DecordInit'),
        dict(type='UniformSample', clip_len=args.clip_len),
        dict(type='DecordDecode'),
        dict(type='RandomResizedCrop', area_range=(0.6, 1.0)),
        dict(type='Resize', scale=(64, 64), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]
    val_pipeline = [
        dict(type='DecordInit'),
        dict(type='UniformSample', clip_len=args.clip_len, test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(64, 64), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]

    def loader(ann_file, pipeline, shuffle, test_mode):
        return dict(
            batch_size=args.batch_size,
            num_workers=args.workers,
            persistent_workers=args.workers > 0,
            sampler=dict(type='DefaultSampler', shuffle=shuffle),
            dataset=dict(
                type='VideoDataset',
                ann_file=ann_file,
                data_prefix=dict(video=data_dir),
                pipeline=pipeline,
                test_mode=test_mode))

    return dict(
        default_scope='mmssar',
        model=model,
        work_dir=work_dir,
        train_dataloader=loader(train_list, train_pipeline, True, False),
        val_dataloader=loader(
            osp.join(data_dir, 'val.txt'), val_pipeline, False, True),
        val_evaluator=dict(type='AccMetric'),
        train_cfg=dict(
            type='IterBasedTrainLoop',
            max_iters=args.iters,
            val_interval=args.val_interval),
        val_cfg=dict(type='ValLoop'),
        optim_wrapper=dict(
            optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-2)),
        param_scheduler=[
            dict(
                type='CosineAnnealingLR',
                T_max=args.iters,
                by_epoch=False,
                eta_min=1e-5)
        ],
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=10**9),
            checkpoint=dict(type='CheckpointHook', interval=10**9,
                            save_last=False)),
        env_cfg=dict(
            cudnn_benchmark=False,
            mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
            dist_cfg=dict(backend='nccl')),
        randomness=dict(seed=args.seed),
        log_level='WARNING')


class _RecordVal(Hook):
    """Keeps (and prints) the top-1 of every validation run."""

    def __init__(self):
        self.top1 = []

    def after_val_epoch(self, runner, metrics=None):
        self.top1.append(100. * metrics['acc/top1'])
        print(f'  iter {runner.iter}: val top1 {self.top1[-1]:.1f}',
              flush=True)


def train_and_eval(args, data_dir, train_list, work_dir):
    runner = Runner.from_cfg(Config(build_cfg(args, data_dir, train_list,
                                              work_dir)))
    record = _RecordVal()
    runner.register_hook(record, priority='LOWEST')
    start = time.time()
    runner.train()
    # IterBasedTrainLoop also validates after the last iteration, so the
    # last record is the final accuracy.
    return record.top1, time.time() - start


def main():
    args = parse_args()
    start = time.time()
    register_all_modules(init_default_scope=False)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.work_dir or tmp
        data_dir = osp.join(root, 'data')
        t0 = time.time()
        info = generate_synthetic_motion(data_dir, seed=args.seed,
                                         workers=max(args.workers, 1))
        gen_seconds = time.time() - t0
        few_list = osp.join(data_dir, f'train_{args.labels_per_class}pc.txt')
        num_few = subsample_list(info['train_list'], few_list,
                                 args.labels_per_class)

        rows = []
        for name, train_list, num in (
                (f'labeled{args.labels_per_class}', few_list, num_few),
                ('full', info['train_list'], info['num_train'])):
            top1, seconds = train_and_eval(args, data_dir, train_list,
                                           osp.join(root, name))
            rows.append((name, num, top1, seconds))
            print(f'[{name}] val top1 per validation: '
                  + ' '.join(f'{v:.1f}' for v in top1), flush=True)

    minutes = (time.time() - start) / 60
    print(f'\ndata: {info["num_train"]} train / {info["num_val"]} val clips, '
          f'{len(info["classes"])} classes, generated in {gen_seconds:.1f} s')
    print(f'model: tiny SlowOnly-R18 (w16), {args.iters} iters, '
          f'batch {args.batch_size}, clip_len {args.clip_len}, seed '
          f'{args.seed}')
    print(f'| run | train clips | final top1 | best top1 | train+val s |')
    print('|---|---|---|---|---|')
    for name, num, top1, seconds in rows:
        print(f'| {name} | {num} | {top1[-1]:.1f} | {max(top1):.1f} | '
              f'{seconds:.0f} |')
    print(f'{rows[0][0]}_top1={rows[0][2][-1]:.1f} '
          f'full_top1={rows[1][2][-1]:.1f} minutes={minutes:.1f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
