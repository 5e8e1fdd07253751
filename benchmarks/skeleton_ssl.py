"""Skeleton SSL benchmark on real data, CPU: SCD-Net pre-training against
ST-GCN baselines with 10 labels per class.

Data sets: NW-UCLA cross-view (train views 1+2, test view 3) and JHMDB
ground-truth 2-D joints, split 1. Rows:

1. labeled-only ST-GCN (10 labels per class);
2. FixMatch around the same ST-GCN (+ the other training clips unlabeled);
3. SCD-Net pre-training (all training clips, no labels) + linear probe on
   the 10 labels per class (plus 1-NN retrieval with the 10-shot bank and
   with the whole training split as bank, labels of the bank only), and as
   a control the same linear probe on a randomly initialised encoder;
4. SCD-Net pre-training + fine-tuning of the whole network on the 10 labels
   per class (the semi-supervised protocol of CMD / SCD-Net), and as a
   control the same fine-tuning from a random initialisation;
5. fully supervised ST-GCN (every training label).

The ST-GCN rows are the CPU skeleton configs of ``configs/quickstart``
(``mmssar.utils.experiment.SKELETON_CONFIGS``), trained and cached exactly
as ``benchmarks/accuracy.py`` trains them (same work dirs under
``--stgcn-work-dir``, so one benchmark reuses the other's runs). The SCD-Net
rows are the stages of the chain ``configs/scdnet/cpu/scdnet-cpu_chain_<ds>.py``
(``mmssar.utils.chain``), whose finished stages are reused too; delete a
run's work dir to redo it.

Accuracies are the top-1 of the final model on the test split (the last
validation of the run, no checkpoint selection on the test set), mean and
std over ``--seeds`` (default 0 1 2). Seed 0 is the configs as they are;
seed ``s`` draws the 10-per-class split with seed ``s``
(``mmssar.utils.experiment.seed_root``) and sets ``randomness.seed=s``
(initialisation and data order), in every ST-GCN run and every chain stage. Each
training process runs with one intra-op thread (on a shared 2-core machine
more threads make these small models several times slower).

Example (prepares ``data/skeleton/*`` from ``../shared/data`` if needed)::

    python benchmarks/skeleton_ssl.py --jobs 2

The last line holds the figures as ``key=value`` pairs.
"""
import argparse
import os.path as osp
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmssar.utils.chain import (ChainError, ChainRunner,  # noqa: E402
                                load_chain, stage_output)
from mmssar.utils.experiment import (SEEDS, SKELETON_CONFIGS,  # noqa: E402
                                     finished_or_none,
                                     final_metrics, mean_std, prepare_jhmdb,
                                     prepare_nwucla, seed_root,
                                     seed_run_name, skeleton_run, top1)
from mmssar.utils.ssl_curves import read_records  # noqa: E402

CHAIN = osp.join('configs', 'scdnet', 'cpu', 'scdnet-cpu_chain_{}.py')
DATASETS = {
    'nwucla': dict(tag='nwucla-xview', name='NW-UCLA x-view',
                   prepare=prepare_nwucla, source='skeleton/nw_ucla'),
    'jhmdb': dict(tag='jhmdb-split1', name='JHMDB-2D split 1',
                  prepare=prepare_jhmdb, source='skeleton/jhmdb_gt_pose'),
}
#: the chain stages behind the SCD-Net rows
SCD_STAGES = ('pretrain', 'linear', 'linear_random', 'knn1_10shot',
              'knn1_full', 'finetune', 'scratch')
ROWS = (('stgcn_labeled', 'labeled-only ST-GCN'),
        ('stgcn_fixmatch', 'FixMatch ST-GCN (EMA teacher)'),
        ('scd_linear', 'SCD-Net pretrain + linear'),
        ('scd_linear_random', 'linear probe on a random encoder (control)'),
        ('scd_knn1_10shot', 'SCD-Net pretrain + 1-NN (10-shot bank)'),
        ('scd_knn1_full', 'SCD-Net pretrain + 1-NN (full train bank)'),
        ('scd_finetune', 'SCD-Net pretrain + semi-sup. fine-tune'),
        ('scd_scratch', 'SCD-Net encoder, no pretraining (control)'),
        ('stgcn_full', 'fully supervised ST-GCN (all labels)'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', nargs='+', default=list(DATASETS),
                        choices=list(DATASETS))
    parser.add_argument('--shared-data',
                        default=osp.join(osp.dirname(ROOT), 'shared', 'data'),
                        help='real data root (default: ../shared/data)')
    parser.add_argument('--data-root', default='data/skeleton',
                        help='where the PoseDataset pickles are / go')
    parser.add_argument('--work-dir', default='work_dirs/skeleton_ssl',
                        help='work dir of the SCD-Net chains')
    parser.add_argument(
        '--stgcn-work-dir', default='work_dirs/benchmarks',
        help='work dir of the ST-GCN runs (benchmarks/accuracy.py\'s '
        '--work-dir: the runs are shared)')
    parser.add_argument(
        '--scale', type=float, default=1.0,
        help='multiply every schedule length (e.g. 0.25 for a smoke run)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='data sets x seeds run in parallel (one thread '
                        'each)')
    parser.add_argument(
        '--seeds', nargs='+', type=int, default=list(SEEDS),
        help='seeds (split, initialisation and data order); every row is '
        'the mean and std over them')
    parser.add_argument(
        '--no-train', action='store_true',
        help='train nothing: print the finished runs only (a row lists the '
        'seeds that have one)')
    return parser.parse_args(argv)


def schedule_options(cfg_path, scale):
    """--cfg-options that scale the iteration count of a config."""
    if scale == 1.0:
        return []
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, cfg_path))
    iters = max(4, int(cfg.train_cfg.max_iters * scale))
    opts = [f'train_cfg.max_iters={iters}',
            f'default_hooks.checkpoint.interval={iters}']
    if cfg.train_cfg.get('val_interval') is not None:
        opts.append(f'train_cfg.val_interval={iters}')
    for i, sched in enumerate(cfg.param_scheduler):
        if sched.get('end', 0) > iters:
            opts.append(f'param_scheduler.{i}.end={iters}')
        if 'T_max' in sched:
            opts.append(f'param_scheduler.{i}.T_max={iters}')
    return opts


#: the pretraining is called collapsed below this embedding std (about
#: 1/sqrt(128) = 0.088 when the 128-d embeddings are spread, 0 when all
#: clips map to one point; ../shared research audit of SCD-Net)
COLLAPSE_STD = 0.02


def pretrain_health(work_dir: str) -> dict:
    """The collapse monitors of the pretraining's last logged window:
    ``emb_std``, ``emb_erank`` and ``partner_top1`` (in-batch partner
    retrieval, %; chance is 100 / batch size)."""
    logged = [r for r in read_records(work_dir) if 'emb_std' in r]
    if not logged:
        raise RuntimeError(f'no collapse monitors (emb_std) in the logs of '
                           f'{work_dir}')
    last = logged[-1]
    return dict(pretrain_emb_std=last['emb_std'],
                pretrain_emb_erank=last['emb_erank'],
                pretrain_partner_top1=100 * last['partner_top1'])


def bench_dataset(key, seed, args, env):
    """Every row of one data set and seed: ``(top-1 % per row, seconds per
    run)``."""
    ds = DATASETS[key]
    ds['prepare'](osp.join(args.shared_data, ds['source']), args.data_root,
                  seed)
    out = {}
    stgcn = {}
    for row, method in (('stgcn_labeled', 'labeled_only'),
                        ('stgcn_fixmatch', 'fixmatch'),
                        ('stgcn_full', 'full')):
        opts = schedule_options(SKELETON_CONFIGS[key][method], args.scale)
        print(f'[{key} seed {seed}] {row}', flush=True)
        metrics = finished_or_none(lambda: skeleton_run(
            key, method, args.stgcn_work_dir, opts, env=env, echo=False,
            seed=seed, data_root=args.data_root, reuse_only=args.no_train))
        if metrics is None:
            continue
        stgcn[row] = metrics
        out[row] = top1(metrics)
    if 'stgcn_fixmatch' in stgcn:
        out['stgcn_fixmatch_student'] = 100 * stgcn['stgcn_fixmatch'][
            'acc/student_top1']
    times = {row: 60 * m['minutes'] for row, m in stgcn.items()}  # s

    # the SCD-Net rows: stages of the CPU chain of this data set
    stages = load_chain(CHAIN.format(ds['tag']))
    options = [f'{s.name}:{o}' for s in stages if s.config
               for o in schedule_options(s.config, args.scale)]
    if seed:
        # every stage (and the k-NN commands) of this seed's chain: its
        # initialisation and data order, and its split via the data root
        options.append(f'randomness.seed={seed}')
        env = dict(env, MMSSAR_SKELETON_ROOT=seed_root(args.data_root, seed))
    work = osp.join(ROOT, args.work_dir, seed_run_name(key, seed))
    runner = ChainRunner(
        stages, work, cfg_options=options, env=env,
        log=lambda msg: print(f'[{key} seed {seed}] {msg}', flush=True))
    if args.no_train:
        try:
            report = runner.run(only=SCD_STAGES, dry_run=True)
        except ChainError as e:  # a stale finished stage
            report = {'?': str(e)}
        todo = [n for n, r in report.items() if r != 'skipped']
        if todo:
            print(f'[{key} seed {seed}] SCD-Net rows left out (--no-train): '
                  f'stages {todo} not finished', flush=True)
            return out, times
    start = time.time()
    runner.run(only=SCD_STAGES)
    times['scd_chain'] = time.time() - start

    def acc(stage):
        return 100 * final_metrics(runner.stage_dir(stage))['acc/top1']

    out.update(pretrain_health(runner.stage_dir('pretrain')))
    out['scd_linear'] = acc('linear')
    out['scd_linear_random'] = acc('linear_random')
    for row in ('knn1_10shot', 'knn1_full'):
        last = stage_output(runner.work_dir, row).strip().splitlines()[-1]
        out[f'scd_{row}'] = float(last.split('=')[1])
    out['scd_finetune'] = acc('finetune')
    out['scd_scratch'] = acc('scratch')
    return out, times


def summarize(results, datasets, seeds, scale=1.0):
    """The table and the ``key=value`` pairs of the rows.

    Args:
        results (dict): ``(data set, seed) -> {row: value}``; a row may miss
            seeds (``--no-train``): it is then the mean over the seeds it
            has, and those seeds are named in its cell.
        datasets (list[str]): Data set keys, in column order.
        seeds (list[int]): The seeds asked for.

    Returns:
        tuple: the lines (the table, then the collapse monitors) and the
        pairs. Differences and gap shares are paired: computed over the
        seeds both (all three) rows have.
    """
    def values(k, row):
        return {s: results[(k, s)][row] for s in seeds
                if row in results.get((k, s), {})}

    def cell(k, row):
        vals = values(k, row)
        if not vals:
            return 'not run'
        mean, std = mean_std(list(vals.values()))
        text = f'{mean:.1f} ± {std:.1f}' if len(vals) > 1 else f'{mean:.1f}'
        if len(vals) < len(seeds):
            text += ' (seed{} {})'.format('s' if len(vals) > 1 else '',
                                         ', '.join(map(str, vals)))
        return text

    def paired(k, *rows):
        """Means of ``rows`` over the seeds all of them have."""
        per = [values(k, r) for r in rows]
        common = [s for s in seeds if all(s in v for v in per)]
        if not common:
            return None
        return [mean_std([v[s] for s in common])[0] for v in per]

    names = [DATASETS[k]['name'] for k in datasets]
    lines = [f'Top-1 (%) on the test split, 10 labels per class, mean ± std '
             f'over seeds {list(seeds)} (schedule scale {scale}):'
             if len(seeds) > 1 else
             f'Top-1 (%) on the test split, 10 labels per class, seed '
             f'{seeds[0]} (schedule scale {scale}):',
             '| method | ' + ' | '.join(names) + ' |',
             '|---|' + '---|' * len(names)]
    for row, title in ROWS:
        lines.append(f'| {title} | '
                     + ' | '.join(cell(k, row) for k in datasets) + ' |')
    monitors = []
    for k in datasets:
        got = [values(k, n) for n in ('pretrain_emb_std', 'pretrain_emb_erank',
                                      'pretrain_partner_top1')]
        if got[0]:
            monitors.append(
                f'{DATASETS[k]["name"]}: emb_std '
                '{:.3f}, effective rank {:.1f}, partner retrieval {:.1f} %'
                .format(*(mean_std(list(v.values()))[0] for v in got)))
    lines.append('SCD-Net pretraining, last logged window (collapse '
                 'monitors): ' + ('; '.join(monitors) or 'not run'))
    pairs = []
    for k in datasets:
        for row, _ in ROWS:
            vals = list(values(k, row).values())
            if not vals:
                continue
            mean, std = mean_std(vals)
            pairs.append(f'{k}_{row}={mean:.2f}')
            if len(vals) > 1:
                pairs.append(f'{k}_{row}_std={std:.2f}')
        for row in ('stgcn_fixmatch', 'scd_finetune'):
            means = paired(k, row, 'stgcn_labeled', 'stgcn_full')
            if means and means[2] > means[1]:
                share = 100 * (means[0] - means[1]) / (means[2] - means[1])
                pairs.append(f'{k}_{row}_gap_recovered_pct={share:.1f}')
        for name, a, b in (('finetune_minus_labeled_only', 'scd_finetune',
                            'stgcn_labeled'),
                           ('finetune_minus_scratch', 'scd_finetune',
                            'scd_scratch'),
                           ('linear_minus_random', 'scd_linear',
                            'scd_linear_random')):
            means = paired(k, a, b)
            if means:
                pairs.append(f'{k}_{name}={means[0] - means[1]:.2f}')
        for name in ('pretrain_emb_std', 'pretrain_emb_erank',
                     'pretrain_partner_top1'):
            vals = list(values(k, name).values())
            if vals:
                pairs.append(f'{k}_{name}={mean_std(vals)[0]:.3f}')
    return lines, pairs


def main():
    args = parse_args()
    env = dict(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONWARNINGS='ignore', MMSSAR_SKELETON_ROOT=args.data_root)
    start = time.time()
    jobs = [(k, seed) for k in args.datasets for seed in args.seeds]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {job: pool.submit(bench_dataset, *job, args, env)
                   for job in jobs}
        runs = {job: f.result() for job, f in futures.items()}
    total = time.time() - start

    results = {job: res for job, (res, _) in runs.items()}
    lines, pairs = summarize(results, args.datasets, args.seeds, args.scale)
    print('\n' + '\n'.join(lines))
    for (k, seed), (_, times) in runs.items():
        mins = ', '.join(f'{n} {t / 60:.1f}' for n, t in times.items())
        print(f'{DATASETS[k]["name"]} seed {seed} run times (min): {mins}')
    print(f'total wall time: {total / 60:.1f} min (jobs={args.jobs})')
    pairs.append(f'seeds={len(args.seeds)}')
    pairs.append(f'scale={args.scale}')
    pairs.append(f'wall_min={total / 60:.1f}')
    print(' '.join(pairs))
    collapsed = [job for job, res in results.items()
                 if res.get('pretrain_emb_std', 1.0) < COLLAPSE_STD]
    if collapsed:
        raise SystemExit(
            f'SCD-Net pretraining COLLAPSED (embedding std < {COLLAPSE_STD}) '
            f'for {collapsed}: its rows measure a degenerate encoder')


if __name__ == '__main__':
    main()
