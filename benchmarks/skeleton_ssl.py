"""Skeleton SSL benchmark on real data, CPU: SCD-Net pre-training against
ST-GCN baselines with 10 labels per class.

Data sets: NW-UCLA cross-view (train views 1+2, test view 3) and JHMDB
ground-truth 2-D joints, split 1. Rows, each one ``tools/train.py`` run of a
config in ``configs/scdnet/cpu/`` (same pipelines and schedule family):

1. labeled-only ST-GCN (10 labels per class);
2. FixMatch around the same ST-GCN (+ the other training clips unlabeled);
3. SCD-Net pre-training (all training clips, no labels) + linear probe on
   the 10 labels per class (plus 1-NN retrieval with the 10-shot bank and
   with the whole training split as bank, labels of the bank only);
4. SCD-Net pre-training + fine-tuning of the whole network on the 10 labels
   per class (the semi-supervised protocol of CMD / SCD-Net), and as a
   control the same fine-tuning from a random initialisation;
5. fully supervised ST-GCN (every training label).

Accuracies are the top-1 of the final model on the test split (one
validation at the end of training, no checkpoint selection on the test
set). Each training process runs with one intra-op thread (on a shared
2-core machine more threads make these small models several times slower).

Example (prepares ``data/skeleton/*`` from ``../shared/data`` if needed)::

    python benchmarks/skeleton_ssl.py --jobs 2

The last line holds the figures as ``key=value`` pairs.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG_DIR = osp.join('configs', 'scdnet', 'cpu')
DATASETS = {
    'nwucla': dict(
        tag='nwucla-xview',
        name='NW-UCLA x-view',
        pickle='nwucla_3d.pkl',
        split_prefix='nwucla_xview_10pc',
        convert=('tools/data/skeleton/nwucla_to_pose.py',
                 'skeleton/nw_ucla'),
        train_split='xview_train'),
    'jhmdb': dict(
        tag='jhmdb-split1',
        name='JHMDB-2D split 1',
        pickle='jhmdb_gt_2d.pkl',
        split_prefix='jhmdb_split1_10pc',
        convert=('tools/data/skeleton/jhmdb_to_pose.py',
                 'skeleton/jhmdb_gt_pose'),
        train_split='train1'),
}
ROWS = (('stgcn_labeled', 'labeled-only ST-GCN'),
        ('stgcn_fixmatch', 'FixMatch ST-GCN (EMA teacher)'),
        ('scd_linear', 'SCD-Net pretrain + linear'),
        ('scd_knn1_10shot', 'SCD-Net pretrain + 1-NN (10-shot bank)'),
        ('scd_knn1_full', 'SCD-Net pretrain + 1-NN (full train bank)'),
        ('scd_finetune', 'SCD-Net pretrain + semi-sup. fine-tune'),
        ('scd_scratch', 'SCD-Net encoder, no pretraining (control)'),
        ('stgcn_full', 'fully supervised ST-GCN (all labels)'))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', nargs='+', default=list(DATASETS),
                        choices=list(DATASETS))
    parser.add_argument('--shared-data',
                        default=osp.join(osp.dirname(ROOT), 'shared', 'data'),
                        help='real data root (default: ../shared/data)')
    parser.add_argument('--data-root', default='data/skeleton',
                        help='where the PoseDataset pickles are / go')
    parser.add_argument('--work-dir', default='work_dirs/skeleton_ssl')
    parser.add_argument(
        '--scale', type=float, default=1.0,
        help='multiply every schedule length (e.g. 0.25 for a smoke run)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='data sets run in parallel (one thread each)')
    parser.add_argument(
        '--reuse', action='store_true',
        help='skip a run whose work dir already holds its final result '
        '(continue an interrupted benchmark; delete a run dir to redo it)')
    return parser.parse_args()


def run(cmd, log_file, env):
    with open(log_file, 'w') as log:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, env=env)
    if proc.returncode:
        raise RuntimeError(f'command failed ({proc.returncode}), see '
                           f'{log_file}: {" ".join(cmd)}')


def prepare(ds, args, env):
    """Convert the real data and draw the 10-per-class subset if absent."""
    pkl = osp.join(args.data_root, ds['pickle'])
    os.makedirs(args.data_root, exist_ok=True)
    if not osp.exists(osp.join(ROOT, pkl)):
        script, sub = ds['convert']
        if not osp.exists(osp.join(args.shared_data, sub)):
            raise SystemExit(
                f'{osp.join(args.shared_data, sub)} not found: pass '
                '--shared-data DIR holding the real data (see its README and '
                'docs/data_preparation.md, "Real skeleton data")')
        run([sys.executable, script, osp.join(args.shared_data, sub), pkl],
            osp.join(ROOT, args.data_root, ds['pickle'] + '.log'), env)
    prefix = osp.join(args.data_root, ds['split_prefix'])
    if not osp.exists(osp.join(ROOT, prefix + '_labeled.pkl')):
        run([
            sys.executable, 'tools/data/make_split.py', pkl, '--split',
            ds['train_split'], '--per-class', '10', '--seed', '0', '--out',
            prefix
        ], osp.join(ROOT, prefix + '.log'), env)


def final_metrics(work_dir):
    """Metrics of the last validation in ``work_dir``'s scalars.json."""
    files = sorted(glob.glob(osp.join(ROOT, work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no scalars.json under {work_dir}')
    last = {}
    with open(files[-1]) as f:
        for line in f:
            rec = json.loads(line)
            if any(k.startswith('acc/') for k in rec):
                last = rec
    return last


def finished(work_dir):
    """Whether a run in ``work_dir`` completed (final checkpoint written
    and, for supervised runs, a validation logged)."""
    root = osp.join(ROOT, work_dir)
    if not glob.glob(osp.join(root, 'iter_*.pth')):
        return False
    try:
        return bool(final_metrics(work_dir)) or 'pretrain' in work_dir
    except FileNotFoundError:
        return False


def schedule_options(cfg_path, scale):
    """--cfg-options that scale the iteration count of a config."""
    if scale == 1.0:
        return []
    sys.path.insert(0, ROOT)
    import mmssar  # noqa: F401
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


def bench_dataset(key, args, env):
    ds = DATASETS[key]
    prepare(ds, args, env)
    out, times = {}, {}
    wd = osp.join(args.work_dir, key)

    def train(name, cfg_name, extra=()):
        cfg = osp.join(CFG_DIR, cfg_name + f'_{ds["tag"]}.py')
        work = osp.join(wd, name)
        if args.reuse and finished(work):
            print(f'[{key}] {name}: reused', flush=True)
            return work
        os.makedirs(osp.join(ROOT, work), exist_ok=True)
        opts = schedule_options(cfg, args.scale) + list(extra)
        cmd = [sys.executable, 'tools/train.py', cfg, '--work-dir', work]
        if opts:
            cmd += ['--cfg-options', *opts]
        t = time.time()
        run(cmd, osp.join(ROOT, work, 'train.log'), env)
        times[name] = time.time() - t
        print(f'[{key}] {name}: {times[name] / 60:.1f} min', flush=True)
        return work

    def acc(work, metric='acc/top1'):
        return 100 * final_metrics(work)[metric]

    out['stgcn_labeled'] = acc(train('stgcn_labeled',
                                     'stgcn-tiny_labeled-only_10shot'))
    fm = final_metrics(train('stgcn_fixmatch', 'stgcn-tiny_fixmatch_10shot'))
    out['stgcn_fixmatch'] = 100 * fm['acc/teacher_top1']
    out['stgcn_fixmatch_student'] = 100 * fm['acc/student_top1']
    pre = train('scd_pretrain', 'scdnet-cpu_pretrain')
    ckpts = glob.glob(osp.join(ROOT, pre, 'iter_*.pth'))
    ckpt = max(ckpts, key=lambda p: int(p.rsplit('_', 1)[1][:-4]))
    init = [f'model.backbone.init_cfg.checkpoint={ckpt}']
    out['scd_linear'] = acc(train('scd_linear', 'scdnet-cpu_linear_10shot',
                                  init))
    linear_cfg = osp.join(CFG_DIR, f'scdnet-cpu_linear_10shot_{ds["tag"]}.py')
    for bank, row in (('linear_dataloader', 'scd_knn1_10shot'),
                      ('bank_dataloader', 'scd_knn1_full')):
        log = osp.join(ROOT, wd, f'{row}.log')
        run([
            sys.executable, 'tools/misc/knn_eval.py', linear_cfg,
            '--checkpoint', ckpt, '--bank', bank, '--k', '1'
        ], log, env)
        with open(log) as f:
            out[row] = float(f.read().strip().splitlines()[-1].split('=')[1])
    out['scd_finetune'] = acc(train('scd_finetune',
                                    'scdnet-cpu_finetune_10shot', init))
    # control: the same fine-tuning from a random initialisation
    out['scd_scratch'] = acc(train('scd_scratch',
                                   'scdnet-cpu_finetune_10shot',
                                   ['model.backbone.init_cfg=None']))
    out['stgcn_full'] = acc(train('stgcn_full', 'stgcn-tiny_full-supervised'))
    return out, times


def main():
    args = parse_args()
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONWARNINGS='ignore')
    start = time.time()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {k: pool.submit(bench_dataset, k, args, env)
                   for k in args.datasets}
        results = {k: f.result() for k, f in futures.items()}
    total = time.time() - start

    names = [DATASETS[k]['name'] for k in args.datasets]
    print(f'\nTop-1 (%) on the test split, 10 labels per class '
          f'(schedule scale {args.scale}):')
    print('| method | ' + ' | '.join(names) + ' |')
    print('|---|' + '---|' * len(names))
    for row, title in ROWS:
        cells = [f'{results[k][0][row]:.1f}' for k in args.datasets]
        print(f'| {title} | ' + ' | '.join(cells) + ' |')
    for k in args.datasets:
        mins = ', '.join(f'{n} {t / 60:.1f}'
                         for n, t in results[k][1].items())
        print(f'{DATASETS[k]["name"]} run times (min): {mins}')
    print(f'total wall time: {total / 60:.1f} min (jobs={args.jobs})')
    pairs = []
    for k in args.datasets:
        for row, _ in ROWS:
            pairs.append(f'{k}_{row}={results[k][0][row]:.2f}')
        res = results[k][0]
        gain = res['scd_finetune'] - res['stgcn_labeled']
        pairs.append(f'{k}_finetune_minus_labeled_only={gain:.2f}')
        gain = res['scd_finetune'] - res['scd_scratch']
        pairs.append(f'{k}_finetune_minus_scratch={gain:.2f}')
    pairs.append(f'scale={args.scale}')
    pairs.append(f'wall_min={total / 60:.1f}')
    print(' '.join(pairs))


if __name__ == '__main__':
    main()
