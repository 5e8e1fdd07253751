"""The tiny TimeBalance chain end to end through tools/run_chain.py:
pre-training x3 -> fine-tuning x2 -> similarity scores -> distillation, on a
small synthetic motion set (2 iterations per stage)."""
import copy
import importlib.util
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import _load_checkpoint

from mmssar.datasets.temporal_similarity_file import read_score_file
from mmssar.registry import MODELS
from mmssar.utils.chain import DONE_FILE, find_checkpoint
from mmssar.utils.checkpoint import extract_recognizer_state

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CHAIN = osp.join(ROOT, 'configs', 'timebalance', 'cpu',
                 'timebalance-cpu_chain_20shot_synthetic.py')
STAGES = ('pretrain_inv', 'pretrain_dist', 'pretrain_all', 'finetune_inv',
          'finetune_dist', 'similarity', 'distil')


@pytest.fixture(scope='module')
def synth(tmp_path_factory):
    from mmssar.datasets.synthetic_motion import generate_synthetic_motion
    root = str(tmp_path_factory.mktemp('tb_synth'))
    generate_synthetic_motion(root, num_classes=10, num_train_per_class=3,
                              num_val_per_class=1, size=32, frames=(16, 18),
                              seed=0)
    subprocess.run([
        sys.executable, osp.join(ROOT, 'tools', 'data', 'make_split.py'),
        osp.join(root, 'train.txt'), '--per-class', '1', '--seed', '0',
        '--out', osp.join(root, 'splits', 'train_20shot')
    ], check=True, capture_output=True)
    return root


@pytest.fixture(scope='module')
def chain_work(synth, tmp_path_factory):
    """The tiny chain run once through tools/run_chain.py (one process)."""
    work = str(tmp_path_factory.mktemp('tb_chain') / 'chain')
    env = dict(os.environ, MMSSAR_SYNTH_ROOT=synth, PYTHONPATH=ROOT)
    proc = subprocess.run([
        sys.executable, osp.join(ROOT, 'tools', 'run_chain.py'), CHAIN,
        '--work-dir', work, '--cfg-options', 'train_cfg.max_iters=2',
        'default_hooks.checkpoint.interval=2',
        'train_dataloader.batch_size=2'
    ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return work, env


@pytest.mark.slow
def test_tiny_chain_runs_end_to_end(synth, chain_work, tmp_path,
                                    monkeypatch):
    work, env = chain_work
    for name in STAGES:
        assert osp.isfile(osp.join(work, name, DONE_FILE)), name

    # the scores cover the training list and lie in [0, 1]
    scores = read_score_file(osp.join(work, 'similarity', 'scores.json'))
    with open(osp.join(synth, 'train.txt')) as f:
        names = [line.split()[0] for line in f if line.strip()]
    assert set(names) <= set(scores)

    # the frozen teachers hold the fine-tuned checkpoints; the exported
    # student is a stock recognizer
    distil = _load_checkpoint(find_checkpoint(osp.join(work, 'distil')),
                              map_location='cpu')['state_dict']
    for teacher, stage in (('inv', 'finetune_inv'), ('dist', 'finetune_dist')):
        tuned = _load_checkpoint(find_checkpoint(osp.join(work, stage)),
                                 map_location='cpu')['state_dict']
        mine = extract_recognizer_state(distil, teacher)
        assert torch.equal(mine['cls_head.fc_cls.weight'],
                           tuned['cls_head.fc_cls.weight'])
    cfg = Config.fromfile(osp.join(ROOT, 'configs', '_base_', 'models',
                                   'tiny_slowonly.py'))
    with DefaultScope.overwrite_default_scope('mmssar'):
        plain = MODELS.build(copy.deepcopy(cfg.model))
    plain.load_state_dict(extract_recognizer_state(distil, 'student'))

    # the score tool resumes from its partial file and refuses a file that
    # does not cover the training list
    spec = importlib.util.spec_from_file_location(
        'temporal_similarity',
        osp.join(ROOT, 'tools', 'data', 'temporal_similarity.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setenv('MMSSAR_SYNTH_ROOT', synth)
    out = str(tmp_path / 'again.json')
    with open(f'{out}.partial', 'w') as f:
        f.write(json.dumps(dict(name=names[0], cos=0.123)) + '\n')
    args = [osp.join(ROOT, 'configs', 'timebalance', 'cpu',
                     'timebalance-cpu_finetune_20shot_synthetic.py'),
            '--checkpoint', find_checkpoint(osp.join(work, 'finetune_dist')),
            '--out', out, '--mapping', 'minmax']
    assert tool.main(args) == 0
    with open(out) as f:
        data = json.load(f)
    assert data['raw'][names[0]] == 0.123  # not recomputed
    assert not osp.exists(f'{out}.partial')
    assert min(data['scores'].values()) == 0.0
    assert max(data['scores'].values()) == 1.0
    del data['scores'][names[1]]
    with open(out, 'w') as f:
        json.dump(data, f)
    with pytest.raises(KeyError, match='no temporal similarity score'):
        tool.main(args)

    # a rerun skips every finished stage
    again = subprocess.run([
        sys.executable, osp.join(ROOT, 'tools', 'run_chain.py'), CHAIN,
        '--work-dir', work, '--cfg-options', 'train_cfg.max_iters=2',
        'default_hooks.checkpoint.interval=2',
        'train_dataloader.batch_size=2'
    ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0
    for name in STAGES:
        assert f'[chain] {name}: done, skipped' in again.stdout
    assert ': running' not in again.stdout


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


@pytest.mark.slow
def test_pretraining_and_distillation_run_on_two_gloo_ranks(
        synth, chain_work, tmp_path):
    """Stage 1 (contrastive pre-training) and stage 3 (distillation from the
    chain's fine-tuned teachers) under tools/dist_train.sh with 2 ranks."""
    work, env = chain_work
    cpu = osp.join(ROOT, 'configs', 'timebalance', 'cpu')
    scores = osp.join(work, 'similarity', 'scores.json')
    runs = dict(
        pretrain=('timebalance-cpu_pretrain_synthetic.py',
                  ['model.mode=invariant']),
        distil=('timebalance-cpu_distil_20shot_synthetic.py', [
            'model.teachers.inv.checkpoint=' +
            find_checkpoint(osp.join(work, 'finetune_inv')),
            'model.teachers.dist.checkpoint=' +
            find_checkpoint(osp.join(work, 'finetune_dist')),
            f'train_dataloader.dataset.dataset.pipeline.0.score_file={scores}',
            'train_cfg.unlabeled_dataloader.dataset.dataset.pipeline.0.'
            f'score_file={scores}'
        ]))
    for name, (config, options) in runs.items():
        out = str(tmp_path / name)
        proc = subprocess.run([
            'bash', osp.join(ROOT, 'tools', 'dist_train.sh'),
            osp.join(cpu, config), '2', '--work-dir', out, '--cfg-options',
            'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
            'train_dataloader.batch_size=2', *options
        ], cwd=ROOT, env=dict(env, PYTHON=sys.executable, PORT=_free_port()),
            capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (name, proc.stdout[-3000:] +
                                      proc.stderr[-3000:])
        assert 'Distributed launcher: pytorch' in proc.stdout + proc.stderr
        assert 'GPU number: 2' in proc.stdout + proc.stderr, name
        find_checkpoint(out)  # each leaves its checkpoint
