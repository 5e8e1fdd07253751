"""The tiny LTG config trains with tools/train.py and tools/dist_train.sh."""
import glob
import json
import os.path as osp
import socket
import sys

from engine_utils import ROOT, run_tool

LTG_CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'ltg_tiny_cfg.py')


def _last(work_dir, key):
    value = None
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data',
                                   'scalars.json')):
        for line in open(path):
            rec = json.loads(line)
            value = rec.get(key, value)
    return value


def test_ltg_trains_single_process_and_ddp(tiny_synth, tmp_path):
    one = str(tmp_path / 'one')
    proc = run_tool([sys.executable, osp.join(ROOT, 'tools', 'train.py'),
                     LTG_CFG, '--work-dir', one], tiny_synth)
    assert 'PreciseBN: recomputed' in proc.stdout + proc.stderr
    assert _last(one, 'loss_align') is not None
    assert _last(one, 'acc/top1') is not None
    assert osp.exists(osp.join(one, 'iter_3.pth'))

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = str(s.getsockname()[1])
    ddp = str(tmp_path / 'ddp')
    run_tool(['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), LTG_CFG, '2',
              '--work-dir', ddp], tiny_synth,
             extra_env=dict(PYTHON=sys.executable, PORT=port))
    assert _last(ddp, 'loss_contrast') is not None
    assert osp.exists(osp.join(ddp, 'iter_3.pth'))
