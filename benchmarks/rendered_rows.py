"""Benchmark rows of the rendered real-motion RGB set (``render_rgb.py``).

NW-UCLA cross-view skeletons rendered as RGB clips (real motion, synthetic
appearance; ``tools/data/skeleton/README.md``), the quickstart's tiny 3D CNN,
10 labels per class. Rows: labeled-only, FixMatch, Mean Teacher, LTG and
full supervision, each trained with seeds 0, 1, 2 (seed ``s`` uses the split
``train_10shot_seed{s}`` and ``randomness.seed=s``; the full row varies the
seed only) and reported as mean and std. Each run is one ``tools/train.py``
run of a config in ``configs/rendered/``, cached like every benchmark run.

``benchmarks/accuracy.py --rendered`` prints these rows; alone::

    python benchmarks/rendered_rows.py --methods labeled_only full

A new RGB method gets a row by adding its config to ``SETTINGS``.
"""
import argparse
import json
import os.path as osp
import sys
import time
from dataclasses import asdict
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mmssar.datasets import skeleton_render  # noqa: E402
from mmssar.utils.experiment import (SEEDS, finished_or_none,  # noqa: E402
                                     summarize_rows, top1, train_config)

R = 'configs/rendered/'
SETTINGS = dict(
    rendered_nwucla=dict(
        source='nwucla',
        src='skeleton/nw_ucla',  # under the shared data folder
        subdir='nwucla_xview',  # under the rendered root
        configs={
            method: f'{R}{name}_tiny-slowonly_1500it_rendered-nwucla-xview'
            f'{suffix}.py'
            for method, name, suffix in (
                ('labeled_only', 'labeled-only', '-10shot'),
                ('fixmatch', 'fixmatch', '-10shot'),
                ('meanteacher', 'meanteacher', '-10shot'),
                ('ltg', 'ltg', '-10shot'),
                ('full', 'full-supervised', ''))
        }),
)
METHODS = ('labeled_only', 'fixmatch', 'meanteacher', 'ltg', 'full')
SSL_METHODS = ('fixmatch', 'meanteacher', 'ltg')
SHOTS = 10
ENV_ROOT = 'MMSSAR_RENDERED_ROOT'  # read by the rendered configs


def prepare(setting: str, shared_data: str, rendered_root: str) -> dict:
    """Render the set with the default arguments unless it is there already.

    Returns:
        dict: What decides a run's result besides its config (renderer
        version, arguments, seed), to key the cached runs.
    """
    spec = SETTINGS[setting]
    out = osp.join(rendered_root, spec['subdir'])
    # the renderer's defaults, as meta.json stores them
    want = json.loads(json.dumps(dict(
        version=skeleton_render.RENDERER_VERSION, seed=0,
        view=skeleton_render.SOURCES[spec['source']]['view'],
        palette='parts', size=64,
        frames=[16, 32], limit=None, shots=[SHOTS], split_seeds=SEEDS,
        nuisance=asdict(skeleton_render.Nuisance()))))
    meta = skeleton_render.read_meta(out)
    have = dict(version=meta.get('version'), seed=meta.get('seed'),
                **{k: meta.get('args', {}).get(k)
                   for k in want if k not in ('version', 'seed')})
    if have != want:
        print(f'rendering {setting} into {out} ...', flush=True)
        skeleton_render.render_skeleton_dataset(
            spec['source'], osp.join(shared_data, spec['src']), out,
            shots=(SHOTS, ), split_seeds=SEEDS, workers=2)
        meta = skeleton_render.read_meta(out)
    return dict(version=meta['version'], seed=meta['seed'],
                args=meta['args'])


def seed_options(setting: str, method: str, rendered_root: str,
                 seed: int) -> List[str]:
    """``--cfg-options`` of one seed: its split files and ``randomness``."""
    options = [f'randomness.seed={seed}']
    if method == 'full':
        return options
    prefix = osp.join(rendered_root, SETTINGS[setting]['subdir'], 'splits',
                      f'train_{SHOTS}shot_seed{seed}')
    options.append(
        f'train_dataloader.dataset.dataset.ann_file={prefix}_labeled.txt')
    if method != 'labeled_only':
        options.append('train_cfg.unlabeled_dataloader.dataset.dataset.'
                       f'ann_file={prefix}_unlabeled.txt')
    return options


def run_rows(shared_data: str,
             rendered_root: str = 'data/rendered',
             work_dir: str = 'work_dirs/benchmarks',
             methods: Optional[Sequence[str]] = None,
             seeds: Sequence[int] = SEEDS,
             options: Sequence[str] = (),
             settings: Optional[Sequence[str]] = None,
             reuse_only: bool = False
             ) -> Dict[Tuple[str, str], Dict[int, float]]:
    """Train (or reuse) every row; returns ``{seed: top-1 %}`` per row.

    With ``reuse_only`` nothing is trained: the seeds without a finished run
    are left out of their row (and a row without any, out of the result).
    """
    results = {}
    env = {ENV_ROOT: rendered_root}
    for setting in settings or SETTINGS:
        data = prepare(setting, shared_data, rendered_root)
        for method, config in SETTINGS[setting]['configs'].items():
            if methods and method not in methods:
                continue
            accs = {}
            for seed in seeds:
                print(f'[{setting}] {method} seed {seed}: {config}',
                      flush=True)
                metrics = finished_or_none(lambda: train_config(
                    config,
                    osp.join(work_dir, setting, f'{method}_seed{seed}'),
                    [*seed_options(setting, method, rendered_root, seed),
                     *options],
                    env=env,
                    key_extra=dict(data=data),
                    reuse_only=reuse_only))
                if metrics is not None:
                    accs[seed] = top1(metrics)
            if accs:
                results[(setting, method)] = accs
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--shared-data', default='../shared/data')
    parser.add_argument('--rendered-root', default='data/rendered')
    parser.add_argument('--work-dir', default='work_dirs/benchmarks')
    parser.add_argument('--methods', nargs='+', choices=METHODS)
    parser.add_argument('--seeds', nargs='+', type=int, default=list(SEEDS))
    parser.add_argument('--max-iters', type=int, default=None)
    parser.add_argument(
        '--no-train', action='store_true',
        help='train nothing: print the finished runs only')
    args = parser.parse_args()
    start = time.time()
    options = []
    if args.max_iters:
        options = [f'train_cfg.max_iters={args.max_iters}',
                   f'train_cfg.val_interval={args.max_iters}']
    results = run_rows(args.shared_data, args.rendered_root, args.work_dir,
                       args.methods, args.seeds, options,
                       reuse_only=args.no_train)
    lines, pairs = summarize_rows(results, SSL_METHODS)
    print('\n' + '\n'.join(lines))
    pairs.append(f'minutes={(time.time() - start) / 60:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
