"""Benchmark rows of the rendered real-motion RGB set (``render_rgb.py``).

NW-UCLA cross-view skeletons rendered as RGB clips (real motion, synthetic
appearance; ``tools/data/skeleton/README.md``), the quickstart's tiny 3D CNN,
10 labels per class. Rows: labeled-only, FixMatch, Mean Teacher, LTG,
SeFAR with its ablations and full supervision; and, on the short clips of
the ACL+MTL protocol (setting ``rendered_nwucla_short``, its own
labeled-only and full rows), FixMatch with EMA-teacher pseudo-labels,
ACL+MTL, ACL only, MTL only and the calibrated-pseudo-label MTL variant.
Each row is trained with seeds 0, 1, 2 (seed ``s`` uses the split
``train_10shot_seed{s}`` and ``randomness.seed=s``; the full row varies the
seed only) and reported as mean and std. Each run is one ``tools/train.py``
run of a config in ``configs/rendered/``, cached like every benchmark run.

``benchmarks/accuracy.py --rendered`` prints these rows; alone::

    python benchmarks/rendered_rows.py --methods labeled_only full

A new RGB method gets a row by adding its config (or a config and
``--cfg-options``) to ``SETTINGS``.
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
                                     paired_difference, summarize_rows,
                                     top1, train_config)

R = 'configs/rendered/'


def _rendered(name: str, suffix: str = '-10shot') -> str:
    return f'{R}{name}_1500it_rendered-nwucla-xview{suffix}.py'


NWUCLA_DATA = dict(
    source='nwucla',
    src='skeleton/nw_ucla',  # under the shared data folder
    subdir='nwucla_xview')  # under the rendered root
SEFAR = _rendered('sefar_tiny-slowonly')
ACL_MTL = _rendered('acl-mtl_tiny-slowonly')
ACL_MTL_CALIBRATED = _rendered('acl-mtl_tiny-slowonly-calibrated-pl')
#: setting -> data and ``method -> config`` or ``(config, cfg-options)``.
#: ``rendered_nwucla_short`` is the ACL+MTL protocol (short clips of 8
#: frames, every 2nd, in training and validation; configs/acl_mtl/README.md)
#: with its own labeled-only and full controls, on the same rendered data.
SETTINGS = dict(
    rendered_nwucla=dict(
        NWUCLA_DATA,
        configs=dict(
            labeled_only=_rendered('labeled-only_tiny-slowonly'),
            fixmatch=_rendered('fixmatch_tiny-slowonly'),
            meanteacher=_rendered('meanteacher_tiny-slowonly'),
            ltg=_rendered('ltg_tiny-slowonly'),
            ltg_labeled_data=(_rendered('ltg_tiny-slowonly'),
                              ['train_cfg.unlabeled_includes_labeled=True']),
            sefar=SEFAR,
            sefar_no_regulation=(
                SEFAR, ['model.semi_train_cfg.regulation=None']),
            sefar_no_mix=(SEFAR, ['model.semi_train_cfg.token_mix=None']),
            sefar_mix_probs=(SEFAR, ['model.semi_train_cfg.mix_on=probs']),
            sefar_no_elements=_rendered('sefar_tiny-slowonly-plain-student'),
            sefar_channel_flip=_rendered(
                'sefar_tiny-slowonly-official-channel-flip'),
            full=_rendered('full-supervised_tiny-slowonly', ''))),
    rendered_nwucla_short=dict(
        NWUCLA_DATA,
        configs=dict(
            labeled_only=_rendered('labeled-only_tiny-slowonly',
                                   '-10shot-short-clips'),
            acl_mtl_fixmatch=(ACL_MTL, ['model.acl=None', 'model.mtl=None']),
            acl_mtl=ACL_MTL,
            acl_only=(ACL_MTL, ['model.mtl=None']),
            mtl_only=(ACL_MTL, ['model.acl=None']),
            acl_mtl_calibrated_pl=ACL_MTL_CALIBRATED,
            mtl_only_calibrated_pl=(ACL_MTL_CALIBRATED, ['model.acl=None']),
            mtl_only_ensemble_pl=(ACL_MTL_CALIBRATED, [
                'model.acl=None', 'model.mtl.pseudo_labels=ensemble']),
            full=_rendered('full-supervised_tiny-slowonly',
                           '-short-clips'))),
)
#: rows whose unlabeled loader reads the labeled split: the same algorithm
#: without unlabeled data (LTG's temporal-gradient network and its
#: cross-modal terms on the labeled clips alone), so that the difference to
#: the method is what the unlabeled clips add
LABELED_POOL = ('ltg_labeled_data', )
#: (method, control) pairs printed as paired differences (the issues'
#: targets compare the methods with FixMatch; each module with the method
#: without it)
METHOD_CONTROLS = (
    ('ltg', 'ltg_labeled_data'),
    ('fixmatch', 'labeled_only'),
    ('sefar', 'fixmatch'),
    ('sefar', 'labeled_only'),
    *((variant, 'sefar') for variant in (
        'sefar_no_regulation', 'sefar_no_mix', 'sefar_mix_probs',
        'sefar_no_elements', 'sefar_channel_flip')),
    ('acl_mtl_fixmatch', 'labeled_only'),
    *((variant, 'acl_mtl_fixmatch') for variant in (
        'acl_mtl_calibrated_pl', 'acl_only', 'mtl_only_calibrated_pl',
        'acl_mtl', 'mtl_only')),
    ('acl_mtl_calibrated_pl', 'labeled_only'),
    ('acl_mtl_calibrated_pl', 'mtl_only_calibrated_pl'),
    ('mtl_only_calibrated_pl', 'mtl_only_ensemble_pl'),
)
CONTROLS = ('labeled_only', 'full', *LABELED_POOL)
#: every row name, in table order
METHODS = tuple(dict.fromkeys(
    m for spec in SETTINGS.values() for m in spec['configs']))
SSL_METHODS = tuple(m for m in METHODS if m not in CONTROLS)
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
        pool = 'labeled' if method in LABELED_POOL else 'unlabeled'
        options.append('train_cfg.unlabeled_dataloader.dataset.dataset.'
                       f'ann_file={prefix}_{pool}.txt')
    return options


def control_pairs(results: Dict[Tuple[str, str], Dict[int, float]]
                  ) -> List[str]:
    """``<setting>_<method>_minus_<control>`` of :data:`METHOD_CONTROLS`,
    paired over the seeds both rows have, with ``..._std`` (the spread of
    the per-seed differences) from two common seeds on."""
    pairs = []
    for setting in dict.fromkeys(s for s, _ in results):
        for method, control in METHOD_CONTROLS:
            diff = paired_difference(results.get((setting, method), {}),
                                     results.get((setting, control), {}))
            if diff is None:
                continue
            key = f'{setting}_{method}_minus_{control}'
            pairs.append(f'{key}={diff[0]:.1f}')
            if diff[1] is not None:
                pairs.append(f'{key}_std={diff[1]:.1f}')
    return pairs


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
        for method, row in SETTINGS[setting]['configs'].items():
            if methods and method not in methods:
                continue
            config, row_options = (row, []) if isinstance(row, str) else row
            accs = {}
            for seed in seeds:
                print(f'[{setting}] {method} seed {seed}: {config}',
                      flush=True)
                metrics = finished_or_none(lambda: train_config(
                    config,
                    osp.join(work_dir, setting, f'{method}_seed{seed}'),
                    [*row_options,
                     *seed_options(setting, method, rendered_root, seed),
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
    parser.add_argument('--settings', nargs='+', choices=list(SETTINGS),
                        help='default: all (rendered_nwucla_short is the '
                        'ACL+MTL short-clip protocol)')
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
                       settings=args.settings, reuse_only=args.no_train)
    lines, pairs = summarize_rows(results, SSL_METHODS)
    pairs += control_pairs(results)
    print('\n' + '\n'.join(lines))
    pairs.append(f'minutes={(time.time() - start) / 60:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
