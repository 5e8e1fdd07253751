"""tools/analysis/pseudo_label_reliability.py: the figures of hand-made
probabilities, and a real SSL checkpoint measured on the unlabeled pool."""
import json
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

from engine_utils import ROOT, TINY_CFG, run_tool

sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
import pseudo_label_reliability as rel  # noqa: E402

PLAIN_CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'plain_tiny_cfg.py')


def test_reliability_figures():
    probs = torch.tensor([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.45, 0.55]])
    labels = torch.tensor([0, 1, 1, 0])
    # confidences 0.9 0.6 0.8 0.55; predictions 0 0 1 1; right: 1st and 3rd
    out = rel.reliability(probs, labels, thresholds=(0.5, 0.7, 0.95),
                          class_threshold=0.8)
    assert out['num_samples'] == 4 and out['accuracy'] == 0.5
    by_tau = {r['threshold']: r for r in out['thresholds']}
    assert by_tau[0.5] == dict(threshold=0.5, kept=1.0, kept_accuracy=0.5)
    assert by_tau[0.7] == dict(threshold=0.7, kept=0.5, kept_accuracy=1.0)
    assert by_tau[0.95] == dict(threshold=0.95, kept=0.0, kept_accuracy=None)
    c0, c1 = out['classes']
    assert c0 == dict(count=2, recall=0.5, predicted=0.5, kept_accuracy=1.0)
    # class 1's confident prediction (0.8) is right, its other one (0.55)
    # is below the class threshold
    assert c1 == dict(count=2, recall=0.5, predicted=0.5, kept_accuracy=1.0)
    with pytest.raises(ValueError, match='probs'):
        rel.reliability(probs, labels[:3])


def test_teacher_of_a_run_on_the_unlabeled_pool(tiny_synth, tmp_path,
                                                monkeypatch):
    work = str(tmp_path / 'w')
    run_tool([sys.executable, osp.join(ROOT, 'tools', 'train.py'), TINY_CFG,
              '--work-dir', work, '--cfg-options', 'train_cfg.max_iters=2'],
             tiny_synth)
    monkeypatch.setenv('MMSSAR_SYNTH_ROOT', tiny_synth)
    out_file = str(tmp_path / 'rel.json')
    ckpt = osp.join(work, 'iter_2.pth')
    out = rel.main([TINY_CFG, ckpt, '--network', 'teacher', '--out',
                    out_file, '--thresholds', '0.0', '0.5', '1.01'])
    with open(osp.join(tiny_synth, 'splits', 'unlabeled.txt')) as f:
        pool = [line for line in f if line.strip()]
    assert out['num_samples'] == len(pool)
    kept = [r['kept'] for r in out['thresholds']]
    assert kept[0] == 1.0 and kept[2] == 0.0 and 0.0 <= kept[1] <= 1.0
    # every clip has a confidence >= 0: the kept accuracy at 0 is the top-1
    assert out['thresholds'][0]['kept_accuracy'] == out['accuracy']
    assert sum(c['count'] for c in out['classes']) == len(pool)
    assert abs(sum(c['predicted'] for c in out['classes']) - 1) < 1e-6
    with open(out_file) as f:
        assert json.load(f) == out
    # a config without an unlabeled loader needs the data config
    with pytest.raises(KeyError, match='--data-config'):
        rel.unlabeled_pool(Config(dict(train_cfg=dict(max_iters=1))))
    # the same network read through the plain recognizer config gives the
    # same figures
    plain = rel.main([PLAIN_CFG, ckpt, '--network', 'teacher',
                      '--data-config', TINY_CFG])
    assert plain['classes'] == out['classes']
