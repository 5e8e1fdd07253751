"""An inherited `mmaction::` recipe with default_scope='mmssar' trains,
resumes, and trains with 2 CPU processes through tools/dist_train.sh."""
import os.path as osp
import socket
import sys

import torch
from engine_utils import ROOT, run_tool

CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'mmaction_inherit_cfg.py')
TRAIN = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), CFG]


def test_train_resume_and_dist(tiny_synth, tmp_path):
    work = str(tmp_path / 'w')
    run_tool(TRAIN + ['--work-dir', work, '--cfg-options',
                      'train_cfg.max_epochs=1'], tiny_synth)
    first = torch.load(osp.join(work, 'epoch_1.pth'), weights_only=False)
    assert first['meta']['epoch'] == 1
    proc = run_tool(TRAIN + ['--work-dir', work, '--resume'], tiny_synth)
    assert 'resumed epoch: 1' in proc.stdout + proc.stderr
    second = torch.load(osp.join(work, 'epoch_2.pth'), weights_only=False)
    assert second['meta']['epoch'] == 2
    assert second['meta']['iter'] == 2 * first['meta']['iter']

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = str(s.getsockname()[1])
    ddp = str(tmp_path / 'ddp')
    run_tool(['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), CFG, '2',
              '--work-dir', ddp], tiny_synth,
             extra_env=dict(PYTHON=sys.executable, PORT=port))
    assert osp.exists(osp.join(ddp, 'epoch_2.pth'))
