"""Exporting the teacher / student of an SSL checkpoint as a plain
recognizer checkpoint (``tools/misc/export_checkpoint.py``)."""
import copy
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import _load_checkpoint

from mmssar.registry import MODELS
from mmssar.utils.checkpoint import (export_recognizer,
                                     extract_recognizer_state,
                                     network_names)

STUDENT = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=18,
        pretrained=None,
        base_channels=8,
        lateral=False,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(0, 0, 1, 1),
        norm_eval=False),
    cls_head=dict(
        type='I3DHead', in_channels=64, num_classes=4, dropout_ratio=0.),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[127.5] * 3,
        std=[57.5] * 3,
        format_shape='NCTHW'))


@pytest.fixture(autouse=True)
def setup():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield
    torch.set_num_threads(threads)


@pytest.fixture
def ssl_checkpoint(tmp_path):
    """A FixMatch checkpoint whose teacher and student differ."""
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='FixMatchRecognizer',
            student=copy.deepcopy(STUDENT),
            teacher=dict(type='TeacherEMA', momentum=0.5)))
    model.sync_teacher()
    model.update_teacher()  # first step: copy
    # one training step of the student, then an EMA step: BN statistics
    # and weights of teacher and student now differ
    model.train()
    x = torch.randn(4, 1, 3, 8, 32, 32)
    with torch.no_grad():
        model.student.extract_feat(x)
        for p in model.student.parameters():
            p.add_(0.05 * torch.randn_like(p))
    model.update_teacher()
    model.eval()
    path = osp.join(tmp_path, 'iter_3.pth')
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(iter=3, epoch=0),
            message_hub=dict(),
        ), path)
    return model, path


def _export(project_root, src, dst, which):
    proc = subprocess.run([
        sys.executable,
        osp.join(project_root, 'tools', 'misc', 'export_checkpoint.py'), src,
        dst, '--which', which
    ],
                          capture_output=True,
                          text=True,
                          cwd=osp.dirname(dst),
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert which in proc.stdout
    return proc


@pytest.mark.parametrize('which', ['teacher', 'student'])
def test_exported_network_is_a_plain_recognizer_with_equal_logits(
        project_root, ssl_checkpoint, tmp_path, which):
    model, src = ssl_checkpoint
    dst = osp.join(tmp_path, f'{which}.pth')
    _export(project_root, src, dst, which)

    ckpt = _load_checkpoint(dst, map_location='cpu')
    assert ckpt['meta']['network'] == which
    assert ckpt['meta']['iter'] == 3
    plain = MODELS.build(copy.deepcopy(STUDENT))
    plain.load_state_dict(ckpt['state_dict'], strict=True)
    plain.eval()

    net = model.teacher.module if which == 'teacher' else model.student
    other = model.student if which == 'teacher' else model.teacher.module
    x = torch.randn(2, 1, 3, 8, 32, 32)
    with torch.no_grad():
        expected = net.extract_feat(x, stage='head')[0]
        got = plain.extract_feat(x, stage='head')[0]
        unexpected = other.extract_feat(x, stage='head')[0]
    assert torch.equal(got, expected)
    assert not torch.allclose(got, unexpected)


def test_extract_recognizer_state_any_network():
    state = {
        'student.backbone.w': torch.ones(1),
        'teachers.teacher.module.backbone.w': torch.zeros(1),
        'teachers.teacher.steps': torch.tensor(3),
        'teachers.inv.module.cls_head.b': torch.full((1, ), 2.),
        'tg_student.backbone.w': torch.full((1, ), 5.),
        'memories.bank.feats': torch.zeros(2, 2),
    }
    assert set(extract_recognizer_state(state, 'teacher')) == {'backbone.w'}
    assert extract_recognizer_state(state, 'student')['backbone.w'].item() \
        == 1
    assert extract_recognizer_state(state, 'inv')['cls_head.b'].item() == 2
    assert extract_recognizer_state(state, 'tg_student')[
        'backbone.w'].item() == 5
    assert network_names(state) == ['student', 'teacher', 'inv',
                                    'tg_student']
    with pytest.raises(KeyError, match="no network 'ensemble'.*'inv'"):
        extract_recognizer_state(state, 'ensemble')
    with pytest.raises(KeyError, match='no network'):
        extract_recognizer_state({'backbone.w': torch.ones(1)}, 'teacher')
    # checkpoints of earlier versions: the EMA teacher as `teacher.module.*`
    old = {'teacher.module.backbone.w': torch.zeros(1),
           'teacher.steps': torch.tensor(3)}
    assert set(extract_recognizer_state(old, 'teacher')) == {'backbone.w'}


def test_export_refuses_a_plain_checkpoint(tmp_path):
    src = osp.join(tmp_path, 'plain.pth')
    dst = osp.join(tmp_path, 'out.pth')
    torch.save({'state_dict': {'backbone.w': torch.ones(1)}}, src)
    with pytest.raises(KeyError, match="no network 'teacher'"):
        export_recognizer(src, dst, 'teacher')
    assert not osp.exists(dst)
