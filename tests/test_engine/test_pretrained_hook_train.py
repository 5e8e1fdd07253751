"""PretrainedRecognizerHook inside a real tools/train.py run."""
import os.path as osp
import sys

import torch
from engine_utils import ROOT, TINY_CFG, run_tool
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS


def test_training_starts_student_and_teacher_from_the_checkpoint(
        tiny_synth, tmp_path, monkeypatch):
    monkeypatch.setenv('MMSSAR_SYNTH_ROOT', tiny_synth)
    plain = Config.fromfile(TINY_CFG).model.student.copy()
    plain.cls_head.num_classes = 7  # a zoo model of another task
    torch.manual_seed(3)
    with DefaultScope.overwrite_default_scope('mmssar'):
        zoo = MODELS.build(plain)
    zoo.init_weights()
    ckpt = str(tmp_path / 'zoo.pth')
    torch.save(dict(state_dict=zoo.state_dict()), ckpt)
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        f'_base_ = [{TINY_CFG!r}]\n'
        'custom_hooks = [dict(type="EMATeacherHook"),\n'
        f'    dict(type="PretrainedRecognizerHook", checkpoint={ckpt!r})]\n'
        # lr 0: the weights after training are the weights it started from
        'optim_wrapper = dict(optimizer=dict(lr=0.0, weight_decay=0.0))\n'
        'param_scheduler = []\n')
    work = str(tmp_path / 'w')
    proc = run_tool([sys.executable, osp.join(ROOT, 'tools', 'train.py'),
                     str(cfg), '--work-dir', work, '--cfg-options',
                     'train_cfg.max_iters=3'], tiny_synth)
    log = proc.stdout + proc.stderr
    assert f'started from {ckpt}' in log
    assert 'dropped the classifier (7 classes in the checkpoint, 4 in the ' \
        'model)' in log
    state = torch.load(osp.join(work, 'iter_3.pth'),
                       weights_only=False)['state_dict']
    for key, value in zoo.state_dict().items():
        if key.startswith('cls_head.') or not value.is_floating_point():
            continue
        for net in ('student.', 'teachers.teacher.module.'):
            if 'running_' in key:
                continue  # BN statistics move in train mode, lr or not
            assert torch.equal(state[net + key], value), net + key
