"""The tiny ACL+MTL config trains with tools/train.py and
tools/dist_train.sh (2 gloo processes)."""
import glob
import json
import os.path as osp
import socket
import sys

import pytest
from engine_utils import ROOT, run_tool

CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'acl_mtl_tiny_cfg.py')


def _last(work_dir, key):
    value = None
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data',
                                   'scalars.json')):
        for line in open(path):
            value = json.loads(line).get(key, value)
    return value


@pytest.mark.slow
def test_acl_mtl_trains_single_process_and_ddp(tiny_synth, tmp_path):
    one = str(tmp_path / 'one')
    run_tool([sys.executable, osp.join(ROOT, 'tools', 'train.py'), CFG,
              '--work-dir', one], tiny_synth)
    for key in ('loss_acl', 'loss_mtl_align', 'loss_mtl_calib',
                'acl_bank_fill', 'gmm_fitted', 'acc/student_top1'):
        assert _last(one, key) is not None, key
    # logged before the iteration's own push: 2 earlier iterations x 2 clips
    assert _last(one, 'acl_bank_fill') == 4
    assert osp.exists(osp.join(one, 'iter_3.pth'))

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = str(s.getsockname()[1])
    ddp = str(tmp_path / 'ddp')
    run_tool(['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), CFG, '2',
              '--work-dir', ddp], tiny_synth,
             extra_env=dict(PYTHON=sys.executable, PORT=port))
    assert _last(ddp, 'loss_acl') is not None
    assert osp.exists(osp.join(ddp, 'iter_3.pth'))


@pytest.mark.slow
def test_calibrated_pseudo_label_variant_trains(tiny_synth, tmp_path):
    cfg = osp.join(ROOT, 'tests', 'data', 'configs',
                   'acl_mtl_calibrated_tiny_cfg.py')
    work = str(tmp_path / 'calibrated')
    run_tool([sys.executable, osp.join(ROOT, 'tools', 'train.py'), cfg,
              '--work-dir', work], tiny_synth)
    for key in ('loss_mtl_calib', 'mtl_short_pl_acc', 'pl_acc',
                'acc/student_top1'):
        assert _last(work, key) is not None, key
