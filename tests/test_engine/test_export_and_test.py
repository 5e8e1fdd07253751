"""An SSL run's teacher, exported, is tested by tools/test.py with the plain
recognizer config."""
import os.path as osp
import sys

from engine_utils import ROOT, TINY_CFG, run_tool

PLAIN_CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'plain_tiny_cfg.py')


def test_export_teacher_then_plain_test(tiny_synth, tmp_path):
    work = str(tmp_path / 'w')
    run_tool([sys.executable, osp.join(ROOT, 'tools', 'train.py'), TINY_CFG,
              '--work-dir', work, '--cfg-options', 'train_cfg.max_iters=3'],
             tiny_synth)
    exported = str(tmp_path / 'teacher.pth')
    run_tool([sys.executable,
              osp.join(ROOT, 'tools', 'misc', 'export_checkpoint.py'),
              osp.join(work, 'iter_3.pth'), exported, '--which', 'teacher'],
             tiny_synth)
    proc = run_tool([sys.executable, osp.join(ROOT, 'tools', 'test.py'),
                     PLAIN_CFG, exported, '--work-dir', str(tmp_path / 't')],
                    tiny_synth)
    out = proc.stdout + proc.stderr
    assert 'acc/top1' in out
    # every key of the plain model was found in the exported checkpoint
    assert 'missing keys' not in out and 'unexpected key' not in out
