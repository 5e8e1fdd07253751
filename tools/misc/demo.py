"""`make demo`: labeled-only vs FixMatch on the synthetic motion set, on CPU.

1. generates the synthetic motion data set (once) and a 5-labels-per-class
   split,
2. trains the labeled-only baseline and FixMatch (configs/quickstart),
3. prints their validation accuracy side by side and one ``key=value`` line.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

CONFIGS = dict(
    labeled_only='configs/quickstart/'
    'labeled-only_tiny-slowonly_1500it_synthetic-5pc.py',
    fixmatch='configs/quickstart/fixmatch_tiny-slowonly_1500it_synthetic-5pc.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default='data/synthetic_motion')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--max-iters',
        type=int,
        default=None,
        help='override the iterations of both runs (quick smoke runs)')
    return parser.parse_args()


def prepare_data(root: str, seed: int) -> None:
    from mmssar.datasets.synthetic_motion import generate_synthetic_motion
    meta = osp.join(root, 'meta.json')
    if not osp.exists(meta):
        print(f'[demo] generating the synthetic motion set in {root} ...',
              flush=True)
        generate_synthetic_motion(root, seed=seed, workers=2)
    split = osp.join(root, 'splits', 'train_5pc')
    if not osp.exists(split + '_labeled.txt'):
        subprocess.run([
            sys.executable, osp.join(ROOT, 'tools/data/make_split.py'),
            osp.join(root, 'train.txt'), '--per-class', '5', '--seed',
            str(seed), '--out', split
        ], check=True)


def last_metrics(work_dir: str) -> dict:
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise RuntimeError(f'no training log found in {work_dir}')
    metrics = {}
    with open(files[-1]) as f:
        for line in f:
            record = json.loads(line)
            if any(k.startswith('acc/') for k in record):
                metrics = record
    return metrics


def train(name: str, work_dir: str, data_root: str, max_iters) -> dict:
    cmd = [
        sys.executable, osp.join(ROOT, 'tools/train.py'), CONFIGS[name],
        '--work-dir', work_dir
    ]
    if max_iters:
        cmd += [
            '--cfg-options', f'train_cfg.max_iters={max_iters}',
            f'train_cfg.val_interval={max_iters}'
        ]
    env = dict(os.environ, MMSSAR_SYNTH_ROOT=data_root)
    print(f'[demo] training {name} (log: {work_dir}) ...', flush=True)
    os.makedirs(work_dir, exist_ok=True)
    start = time.time()
    with open(osp.join(work_dir, 'demo_stdout.log'), 'w') as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            if 'Iter(train)' in line and ('00/' in line.split(']')[0]):
                print('   ', line.split(' - ')[-1].strip()[:110], flush=True)
            elif 'acc/' in line and 'Iter(val)' in line:
                print('   ', line.split(' - ')[-1].strip()[:160], flush=True)
        if proc.wait() != 0:
            raise RuntimeError(f'{name} training failed; see '
                               f'{osp.join(work_dir, "demo_stdout.log")}')
    metrics = last_metrics(work_dir)
    metrics['minutes'] = (time.time() - start) / 60
    return metrics


def main():
    args = parse_args()
    start = time.time()
    os.chdir(ROOT)
    prepare_data(args.data_root, args.seed)
    results = {
        name: train(name, osp.join(args.work_dir, name), args.data_root,
                    args.max_iters)
        for name in CONFIGS
    }
    lo = 100 * results['labeled_only']['acc/top1']
    fm_teacher = 100 * results['fixmatch']['acc/teacher_top1']
    fm_student = 100 * results['fixmatch']['acc/student_top1']
    minutes = (time.time() - start) / 60
    print()
    print('Synthetic motion set, 10 classes, 5 labels per class '
          '(val top-1, %)')
    print(f'{"method":<28}{"top-1":>8}{"minutes":>10}')
    print(f'{"labeled only":<28}{lo:>8.1f}'
          f'{results["labeled_only"]["minutes"]:>10.1f}')
    print(f'{"FixMatch (EMA teacher)":<28}{fm_teacher:>8.1f}'
          f'{results["fixmatch"]["minutes"]:>10.1f}')
    print(f'{"FixMatch (student)":<28}{fm_student:>8.1f}')
    print(f'labeled_only_top1={lo:.1f} fixmatch_top1={fm_teacher:.1f} '
          f'fixmatch_student_top1={fm_student:.1f} '
          f'gain={fm_teacher - lo:.1f} minutes={minutes:.1f}')


if __name__ == '__main__':
    main()
