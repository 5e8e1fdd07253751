"""Labeled-only vs FixMatch vs Mean Teacher vs fully supervised.

Settings, each trained with the CPU configs of ``configs/quickstart``:

* the synthetic motion set (10 classes, 20 labels per class, tiny 3D CNN);
* NW-UCLA cross-view (views 1+2 train, view 3 test, 10 labels per class,
  small ST-GCN), when the real data is available
  (``--nwucla ../shared/data/skeleton/nw_ucla``);
* JHMDB ground-truth 2-D joints, split 1 (10 labels per class, small
  ST-GCN), with ``--jhmdb ../shared/data/skeleton/jhmdb_gt_pose``.

The skeleton settings add FixMatch with the EMA teacher's pseudo-labels
(``fixmatch_ema_teacher``) and self-training from the frozen labeled-only
model (``self_training``, which starts from the ``labeled_only`` run) beside
its control, 1,500 more labeled-only iterations from the same model
(``labeled_only_x2``). Rows tried while diagnosing pseudo-labelling on real
skeletons (Mean Teacher, FlexMatch and FreeMatch thresholds, distribution
alignment: ``EXPLORATORY_SKELETON_ROWS``) are trained only when ``--methods``
names them.

The skeleton rows are the runs of ``benchmarks/skeleton_ssl.py`` too (same
configs, ``mmssar.utils.experiment.SKELETON_CONFIGS``, same cache).

Example::

    python benchmarks/accuracy.py --nwucla ../shared/data/skeleton/nw_ucla \
        --jhmdb ../shared/data/skeleton/jhmdb_gt_pose

The real-data rows (NW-UCLA, JHMDB, rendered) are the mean and std over
``--seeds`` (default 0 1 2: split, initialisation and data order; seed 0 is
the configs as they are, seed ``s`` the split drawn with seed ``s`` and
``randomness.seed=s``); the synthetic rows are one seed, the data set and
split of ``make demo``. Prints a table (mean, std, share of the labeled-only
-> full gap recovered, seeds) and ends with one line of ``key=value`` pairs
(top-1 %).
"""
import argparse
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmssar.utils.experiment import (CONTROL_ROWS,  # noqa: E402
                                     EXPLORATORY_SKELETON_ROWS, SEEDS,
                                     SKELETON_CONFIGS, SKELETON_INPUTS,
                                     finished_or_none, mean_std,
                                     prepare_jhmdb, prepare_nwucla,
                                     prepare_synthetic, skeleton_run,
                                     summarize_rows, top1, train_config)

Q = 'configs/quickstart/'
SETTINGS = dict(
    synthetic=dict(
        labeled_only=Q + 'labeled-only_tiny-slowonly_1500it_synthetic-20shot.py',
        fixmatch=Q + 'fixmatch_tiny-slowonly_1500it_synthetic-20shot.py',
        meanteacher=Q + 'meanteacher_tiny-slowonly_1500it_synthetic-20shot.py',
        full=Q + 'full-supervised_tiny-slowonly_1500it_synthetic.py'),
    # the skeleton rows: one config per experiment, shared with
    # benchmarks/skeleton_ssl.py (key_extra data=None, as skeleton_run)
    **SKELETON_CONFIGS)
#: every row name, in table order
METHODS = list(dict.fromkeys(m for rows in SETTINGS.values() for m in rows))
SSL_METHODS = tuple(m for m in METHODS if m not in CONTROL_ROWS)


def parse_args():
    import rendered_rows  # the --rendered rows take --methods too
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--synthetic-root', default='data/synthetic_motion')
    parser.add_argument(
        '--nwucla', help='folder of the NW-UCLA JSON files (optional)')
    parser.add_argument(
        '--jhmdb', help='folder of the JHMDB joint_positions (optional)')
    parser.add_argument('--skeleton-root', default='data/skeleton')
    parser.add_argument('--work-dir', default='work_dirs/benchmarks')
    parser.add_argument('--only', nargs='+', choices=list(SETTINGS))
    parser.add_argument(
        '--methods',
        nargs='+',
        choices=list(dict.fromkeys(METHODS + list(rendered_rows.METHODS))),
        help='train only these rows (finished runs are reused, so several '
        'processes can share the work and a last call prints the table); '
        'default: every row but the exploratory skeleton rows '
        f'({", ".join(EXPLORATORY_SKELETON_ROWS)})')
    parser.add_argument('--max-iters', type=int, default=None)
    parser.add_argument(
        '--no-train', action='store_true',
        help='train nothing: print the finished runs only (a row lists the '
        'seeds that have one; the seeds column says how many)')
    parser.add_argument(
        '--seeds', nargs='+', type=int, default=list(SEEDS),
        help='seeds of the real-data rows (split, initialisation and data '
        'order; mean and std over them); the synthetic rows are the one '
        'seed of make demo')
    parser.add_argument(
        '--rendered', metavar='SHARED_DATA',
        help='also the rendered real-motion RGB rows, 3 seeds '
        '(benchmarks/rendered_rows.py; e.g. ../shared/data)')
    return parser.parse_args()


def wanted(setting, method, methods=None):
    """Whether a row is trained / printed: the named ones, or by default
    every row but the exploratory skeleton rows."""
    if methods:
        return method in methods
    return setting == 'synthetic' or method not in EXPLORATORY_SKELETON_ROWS


def main():
    args = parse_args()
    start = time.time()
    settings = args.only or [
        s for s in SETTINGS if s not in ('nwucla', 'jhmdb') or getattr(
            args, s)
    ]
    env = dict(MMSSAR_SYNTH_ROOT=args.synthetic_root,
               MMSSAR_SKELETON_ROOT=args.skeleton_root)
    data = {}  # what decides a run's result besides config and options
    if 'synthetic' in settings:
        data['synthetic'] = prepare_synthetic(args.synthetic_root)
    prepare = dict(nwucla=(prepare_nwucla, args.nwucla),
                   jhmdb=(prepare_jhmdb, args.jhmdb))
    for setting, (fn, src) in prepare.items():
        if setting not in settings:
            continue
        if not src:
            raise SystemExit(f'--{setting} DIR is needed for the '
                             f'{setting} rows')
        for seed in args.seeds:
            fn(src, args.skeleton_root, seed)
    options = []
    if args.max_iters:
        options = [f'train_cfg.max_iters={args.max_iters}',
                   f'train_cfg.val_interval={args.max_iters}']
    results = {}
    for setting in settings:
        for method, config in SETTINGS[setting].items():
            if not wanted(setting, method, args.methods):
                continue
            accs = {}
            for seed in ([0] if setting == 'synthetic' else args.seeds):
                print(f'[{setting}] {method} seed {seed}: {config}',
                      flush=True)
                if setting == 'synthetic':
                    metrics = finished_or_none(lambda: train_config(
                        config, osp.join(args.work_dir, setting, method),
                        options, env=env,
                        key_extra=dict(data=data.get(setting)),
                        reuse_only=args.no_train))
                else:
                    metrics = finished_or_none(lambda: skeleton_run(
                        setting, method, args.work_dir, options, env=env,
                        seed=seed, data_root=args.skeleton_root,
                        reuse_only=args.no_train))
                if metrics is not None:
                    accs[seed] = top1(metrics)
            if accs:
                results[(setting, method)] = accs

    lines, pairs = summarize_rows(results, SSL_METHODS)
    for (setting, method), accs in results.items():
        if method in SKELETON_INPUTS:
            # a row that continues another one, beside the same continuation
            # without unlabeled data
            control = results.get((setting, 'labeled_only_x2'), {})
            common = [s for s in accs if s in control]
            if common and method != 'labeled_only_x2':
                # paired: the seeds both rows have
                diff = mean_std([accs[s] - control[s] for s in common])[0]
                pairs.append(f'{setting}_{method}_minus_labeled_only_x2='
                             f'{diff:.1f}')
    print('\n' + '\n'.join(lines))
    if args.rendered:
        import rendered_rows
        rendered = rendered_rows.run_rows(
            args.rendered, work_dir=args.work_dir, methods=args.methods,
            seeds=args.seeds, options=options, reuse_only=args.no_train)
        lines, more = summarize_rows(rendered, rendered_rows.SSL_METHODS)
        more += rendered_rows.control_pairs(rendered)
        print('\n' + '\n'.join(lines))
        pairs += more
    pairs.append(f'minutes={(time.time() - start) / 60:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
