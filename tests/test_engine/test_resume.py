"""Killing a run and resuming it reproduces the uninterrupted run."""
import glob
import json
import os.path as osp
import sys

import pytest
import torch
from engine_utils import ROOT, TINY_CFG, run_tool


def _losses(work_dir):
    # a resumed run logs into a second timestamped folder
    out = {}
    for scalars in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(scalars) as f:
            for line in f:
                rec = json.loads(line)
                if 'loss' in rec:
                    out[rec['iter']] = (rec['loss'], rec['sup_loss_cls'],
                                        rec['unsup_loss_cls'],
                                        rec['mask_ratio'])
    return out


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.mark.parametrize('workers', [0, 2])
def test_kill_and_resume_is_exact(tiny_synth, tmp_path, workers):
    train = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), TINY_CFG]
    opts = ['--cfg-options', f'num_workers={workers}',
            f'train_dataloader.num_workers={workers}',
            f'train_cfg.unlabeled_dataloader.num_workers={workers}']
    full, part = str(tmp_path / 'full'), str(tmp_path / 'part')
    run_tool(train + ['--work-dir', full] + opts, tiny_synth)

    # the "killed" run: the same run stopped after iteration 3
    run_tool(train + ['--work-dir', part] + opts +
             ['train_cfg.max_iters=3'], tiny_synth)
    assert osp.exists(osp.join(part, 'iter_3.pth'))
    # resume it with the full schedule
    run_tool(train + ['--work-dir', part, '--resume',
                      osp.join(part, 'iter_3.pth')] + opts, tiny_synth)

    ref, got = _losses(full), _losses(part)
    assert sorted(ref) == [1, 2, 3, 4, 5, 6]
    for it in (4, 5, 6):
        assert got[it] == ref[it], f'iteration {it} differs'

    a = _state(osp.join(full, 'iter_6.pth'))
    b = _state(osp.join(part, 'iter_6.pth'))
    teacher = [k for k in a['state_dict'] if k.startswith('teachers.teacher.')]
    assert teacher
    for k in a['state_dict']:
        assert torch.equal(a['state_dict'][k], b['state_dict'][k]), k
    assert a['semi_loop']['labeled'] == b['semi_loop']['labeled']
    assert a['semi_loop']['unlabeled'] == b['semi_loop']['unlabeled']


def test_resume_restores_loader_positions(tiny_synth, tmp_path):
    """The checkpoint carries both loaders' (epoch, step)."""
    work = str(tmp_path / 'w')
    run_tool([sys.executable, osp.join(ROOT, 'tools', 'train.py'), TINY_CFG,
              '--work-dir', work, '--cfg-options', 'train_cfg.max_iters=3'],
             tiny_synth)
    state = _state(osp.join(work, 'iter_3.pth'))['semi_loop']
    # 8 labeled clips / batch 2 = 4 batches per epoch: 3 consumed
    assert state['labeled'] == dict(epoch=0, step=3)
    # 16 unlabeled clips / batch 4 = 4 batches per epoch: 3 consumed
    assert state['unlabeled'] == dict(epoch=0, step=3)
