"""The tiny SeFAR config under tools/train.py and tools/dist_train.sh."""
import glob
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = osp.join(ROOT, 'configs', 'sefar',
               'sefar_tiny-slowonly_1500it_synthetic-20shot.py')


def overrides(root, iters=3, ckpt=3, val=None):
    """``iters`` iterations on the 4-class test set, SSL from iteration 2
    (iteration 1 is the supervised warm-up), validation every ``val``
    (default: at the end)."""
    return [
        '--cfg-options',
        f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={val or iters}',
        'train_dataloader.batch_size=2',
        'train_cfg.unlabeled_dataloader.batch_size=4',
        f'train_dataloader.dataset.dataset.ann_file={root}/splits/'
        'labeled.txt',
        'train_dataloader.dataset.num_classes=4',
        f'train_cfg.unlabeled_dataloader.dataset.dataset.ann_file={root}/'
        'splits/unlabeled.txt',
        'train_cfg.unlabeled_dataloader.dataset.num_classes=4',
        'model.student.cls_head.num_classes=4',
        'model.semi_train_cfg.mc_passes=3',
        'model.semi_train_cfg.unsup_weight.warmup=1',
        'model.semi_train_cfg.unsup_weight.offset=1',
        'model.semi_train_cfg.unsup_weight.rampup=2',
        'val_dataloader.batch_size=4', 'test_dataloader.batch_size=4',
        f'default_hooks.checkpoint.interval={ckpt}',
        'default_hooks.logger.interval=1', 'log_processor.window_size=1',
    ]


def run(args, root, extra_env=None):
    env = dict(os.environ, MMSSAR_SYNTH_ROOT=root, **(extra_env or {}))
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f'{" ".join(args[:3])} failed:\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}')
    return proc


def scalars(work_dir):
    recs = []
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data',
                                   'scalars.json')):
        recs += [json.loads(line) for line in open(path)]
    return recs


def check_run(work_dir):
    recs = scalars(work_dir)
    assert any('unsup_loss_mix' in r for r in recs), recs
    assert any('acc/teacher_top1' in r for r in recs)
    assert [r['sup_loss_cls'] for r in recs if r.get('iter') == 1], recs
    # iteration 1 is the supervised warm-up: no unlabeled terms yet
    assert all('unsup_loss_cls' not in r for r in recs if r.get('iter') == 1)
    assert osp.exists(osp.join(work_dir, 'iter_3.pth'))


@pytest.mark.slow
def test_tiny_config_trains_with_train_py(tiny_synth, tmp_path):
    work = str(tmp_path / 'one')
    run([sys.executable, osp.join(ROOT, 'tools', 'train.py'), CFG,
         '--work-dir', work, *overrides(tiny_synth)], tiny_synth)
    check_run(work)


@pytest.mark.slow
@pytest.mark.dist
def test_tiny_config_trains_with_dist_train_sh(tiny_synth, tmp_path):
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = str(s.getsockname()[1])
    work = str(tmp_path / 'ddp')
    run(['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), CFG, '2',
         '--work-dir', work, *overrides(tiny_synth)], tiny_synth,
        extra_env=dict(PYTHON=sys.executable, PORT=port))
    check_run(work)


def losses_by_iter(work_dir):
    keys = ('loss', 'sup_loss_cls', 'unsup_loss_cls', 'unsup_loss_mix',
            'mask_ratio', 'mix_lambda')
    return {r['iter']: tuple(r.get(k) for k in keys)
            for r in scalars(work_dir) if 'loss' in r}


@pytest.mark.slow
def test_resume_is_exact_including_mc_dropout_and_teacher_restart(
        tiny_synth, tmp_path):
    """Stop after iteration 2 (the first semi-supervised one: teacher
    restarted, MC-dropout weights drawn), resume: iterations 3-4 equal the
    uninterrupted run (weights, λ, losses; no second teacher restart) and so
    do the final states."""
    import torch
    train = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), CFG]
    full, part = str(tmp_path / 'full'), str(tmp_path / 'part')
    run(train + ['--work-dir', full,
                 *overrides(tiny_synth, iters=4, ckpt=2)], tiny_synth)
    # the "killed" run validates at its last iteration, and MMEngine then
    # re-saves iter_2.pth (new best score) from inside validation, whose
    # loaders draw from the global RNG: the checkpoint must still hold the
    # training RNG state
    run(train + ['--work-dir', part,
                 *overrides(tiny_synth, iters=2, ckpt=2)], tiny_synth)
    run(train + ['--work-dir', part, '--resume',
                 osp.join(part, 'iter_2.pth'),
                 *overrides(tiny_synth, iters=4, ckpt=2)], tiny_synth)
    ref, got = losses_by_iter(full), losses_by_iter(part)
    assert sorted(ref) == [1, 2, 3, 4]
    assert ref[3][3] is not None  # the mix branch ran
    for it in (3, 4):
        assert got[it] == ref[it], f'iteration {it} differs'
    a = torch.load(osp.join(full, 'iter_4.pth'), map_location='cpu',
                   weights_only=False)['state_dict']
    b = torch.load(osp.join(part, 'iter_4.pth'), map_location='cpu',
                   weights_only=False)['state_dict']
    assert a['ssl_started'].item() == 1
    for k in a:
        assert torch.equal(a[k], b[k]), k
