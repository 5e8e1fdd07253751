"""Data time of the semi-supervised loop with 0, 1 and 2 loader workers.

Trains the quickstart FixMatch config on the synthetic motion set for a few
iterations per setting with ``tools/train.py`` and reads MMEngine's own
``data_time`` and ``time`` from the logs (median over the logged windows
after the first, i.e. after worker start-up). Two pipelines:

* ``quickstart``: the config as it is (8 frames at 56 px);
* ``paper``: the same run with the 3D-CNN paper pipelines swapped in
  (``configs/_base_/datasets/semi_video_pipelines_8x8x1.py``: 8 x 8 frames,
  short side 256, RandomResizedCrop to 224 px, flip; RandAugment for the
  strong view).

Settings: ``num_workers`` 0, 1, 2, and for 1 and 2 with
``persistent_workers=True`` (both loaders alike). Prints the data time, the
iteration time and the data share per setting, the fastest setting per
pipeline, and ends with one line of ``key=value`` pairs. Run it on an idle
machine: the figures are wall-clock times.

Example::

    python benchmarks/data_loading.py
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmssar.utils.chain import to_plain  # noqa: E402
from mmssar.utils.experiment import (prepare_synthetic,  # noqa: E402
                                     train_config)
from mmssar.utils.ssl_curves import find_scalar_files, read_records  # noqa

CFG = 'configs/quickstart/fixmatch_tiny-slowonly_1500it_synthetic-20shot.py'
PAPER_PIPELINES = 'configs/_base_/datasets/semi_video_pipelines_8x8x1.py'
SETTINGS = (('w0', 0, False), ('w1', 1, False), ('w1p', 1, True),
            ('w2', 2, False), ('w2p', 2, True))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--synthetic-root', default='data/synthetic_motion')
    parser.add_argument('--work-dir',
                        default='work_dirs/benchmarks/data_loading')
    parser.add_argument('--iters', type=int, default=40,
                        help='iterations per quickstart run')
    parser.add_argument('--paper-iters', type=int, default=12,
                        help='iterations per paper-pipeline run (224 px: '
                        'about 15 s each on 2 CPU cores)')
    parser.add_argument('--pipelines', nargs='+',
                        default=['quickstart', 'paper'],
                        choices=['quickstart', 'paper'])
    parser.add_argument('--settings', nargs='+', default=[s[0] for s in
                                                          SETTINGS],
                        choices=[s[0] for s in SETTINGS])
    return parser.parse_args()


def paper_config(work_dir: str) -> str:
    """The quickstart config with the paper pipelines, as a config file
    that inherits it (the pipelines written in as literals)."""
    from mmengine.config import Config
    pipes = Config.fromfile(osp.join(ROOT, PAPER_PIPELINES))
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, 'fixmatch_tiny-slowonly_paper-pipelines.py')
    text = (
        f'_base_ = [{osp.join(ROOT, CFG)!r}]\n'
        f'labeled = {to_plain(pipes.labeled_pipeline, True)!r}\n'
        f'unlabeled = {to_plain(pipes.unlabeled_pipeline, True)!r}\n'
        'train_dataloader = dict(dataset=dict(dataset=dict('
        'pipeline=labeled)))\n'
        'train_cfg = dict(unlabeled_dataloader=dict(dataset=dict('
        'dataset=dict(pipeline=unlabeled))))\n')
    with open(path, 'w') as f:
        f.write(text)
    return path


def log_times(work_dir: str):
    """Median ``data_time`` and ``time`` of the logged training windows
    after the first (of the run's latest log)."""
    train = [r for r in read_records(find_scalar_files(work_dir)[-1])
             if 'data_time' in r and 'loss' in r][1:]
    if not train:
        raise RuntimeError(f'no training log windows in {work_dir}')
    return (statistics.median(r['data_time'] for r in train),
            statistics.median(r['time'] for r in train))


def main():
    args = parse_args()
    start = time.time()
    data = prepare_synthetic(args.synthetic_root)
    rows = {}
    for pipeline in args.pipelines:
        n = args.iters if pipeline == 'quickstart' else args.paper_iters
        config = CFG if pipeline == 'quickstart' else paper_config(
            osp.join(ROOT, args.work_dir))
        for name, workers, persistent in SETTINGS:
            if name not in args.settings:
                continue
            options = [
                f'train_cfg.max_iters={n}', f'train_cfg.val_begin={n}',
                f'train_cfg.val_interval={n}',
                'val_dataloader.dataset.indices=8',
                f'default_hooks.logger.interval={max(1, n // 8)}',
                f'default_hooks.checkpoint.interval={n}'
            ]
            for loader in ('train_dataloader', 'train_cfg.unlabeled_'
                           'dataloader'):
                options += [f'{loader}.num_workers={workers}',
                            f'{loader}.persistent_workers={persistent}']
            work_dir = osp.join(args.work_dir, f'{pipeline}_{name}')
            print(f'[data loading] {pipeline} {name}', flush=True)
            train_config(config, work_dir, options,
                         env=dict(MMSSAR_SYNTH_ROOT=args.synthetic_root),
                         echo=False, key_extra=dict(data=data))
            rows[(pipeline, name)] = log_times(work_dir)

    print(f'\n{"pipeline":<12}{"setting":<9}{"data ms":>9}{"iter ms":>9}'
          f'{"data %":>8}')
    pairs = []
    for (pipeline, name), (data_t, iter_t) in rows.items():
        share = 100 * data_t / iter_t
        print(f'{pipeline:<12}{name:<9}{1e3 * data_t:>9.1f}'
              f'{1e3 * iter_t:>9.1f}{share:>8.1f}')
        pairs += [f'{pipeline}_{name}_iter_ms={1e3 * iter_t:.1f}',
                  f'{pipeline}_{name}_data_pct={share:.1f}']
    for pipeline in args.pipelines:
        mine = {k[1]: v for k, v in rows.items() if k[0] == pipeline}
        if mine:
            best = min(mine, key=lambda k: mine[k][1])
            pairs.append(f'{pipeline}_fastest={best}')
    pairs.append(f'minutes={(time.time() - start) / 60:.1f}')
    print('setting: wN = N workers, p = persistent_workers=True')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
