"""2-process gloo DDP through tools/dist_train.sh (torchrun)."""
import os
import os.path as osp
import socket
import sys

import torch
from engine_utils import ROOT, run_tool

DDP_CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'fixmatch_tiny_ddp_cfg.py')


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def _weights(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def test_ddp_teacher_identical_and_equal_to_big_batch(tiny_synth, tmp_path):
    helpers = osp.join(ROOT, 'tests', 'helpers')
    env = dict(PYTHONPATH=helpers, PYTHON=sys.executable, PORT=_free_port(),
               OMP_NUM_THREADS='1')

    ddp = str(tmp_path / 'ddp')
    run_tool([
        'bash', osp.join(ROOT, 'tools', 'dist_train.sh'), DDP_CFG, '2',
        '--work-dir', ddp
    ], tiny_synth, extra_env=env)

    single = str(tmp_path / 'single')
    run_tool([
        sys.executable, osp.join(ROOT, 'tools', 'train.py'), DDP_CFG,
        '--work-dir', single, '--cfg-options',
        'train_dataloader.batch_size=4',
        'train_cfg.unlabeled_dataloader.batch_size=8'
    ], tiny_synth, extra_env=env)

    r0 = _weights(osp.join(ddp, 'weights_rank0.pth'))
    r1 = _weights(osp.join(ddp, 'weights_rank1.pth'))
    one = _weights(osp.join(single, 'weights_rank0.pth'))
    teacher = [k for k in r0 if k.startswith('teachers.teacher.module.')]
    assert len(teacher) > 10
    for k in teacher:
        # teachers of both ranks are bit-identical
        assert torch.equal(r0[k], r1[k]), k
        if r0[k].is_floating_point():
            torch.testing.assert_close(r0[k], one[k], rtol=1e-4, atol=1e-5)
    # the run really trained: the teacher moved away from its start
    start = _weights(osp.join(ddp, 'iter_3.pth'))['state_dict']
    moved = [k for k in teacher if r0[k].is_floating_point()
             and not torch.equal(start[k], r0[k])]
    assert moved
