"""PreciseBNHook replaces running BN statistics by exact batch averages, and
the validated model and every checkpoint written in training carry them."""
import os.path as osp
import time
from collections import OrderedDict

import pytest
import torch
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.logging import MessageHub
from mmengine.model import BaseDataPreprocessor, BaseModel
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import DataLoader

from mmssar.engine.hooks import PreciseBNHook
from mmssar.engine.runner import SemiIterBasedTrainLoop


class _Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 3)
        self.bn = nn.BatchNorm1d(3)
        self.drop = nn.Dropout(0.5)  # makes training consume torch's RNG

    def extract_feat(self, inputs, stage='backbone'):
        return self.bn(self.linear(inputs))


class _Model(BaseModel):
    """A 'student' with BN; records its BN statistics at each validation."""

    def __init__(self):
        super().__init__(data_preprocessor=BaseDataPreprocessor())
        self.student = _Net()
        self.val_stats = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.student.extract_feat(inputs)

    def train_step(self, data, optim_wrapper):
        if isinstance(data, tuple):  # (labeled, unlabeled) of a semi loop
            data = data[0]
        inputs = self.data_preprocessor(data, True)['inputs']
        feat = self.student.drop(self.student.extract_feat(inputs))
        loss = (feat - 1.).pow(2).mean()
        optim_wrapper.update_params(loss)
        return dict(loss=loss)

    def val_step(self, data):
        # the validation loader has a single batch: one record per run
        self.val_stats.append((self.student.bn.running_mean.clone(),
                               self.student.bn.running_var.clone()))
        return [dict(x=0.)]


class _Metric(BaseMetric):

    def process(self, data_batch, data_samples):
        self.results.append(0.)

    def compute_metrics(self, results):
        return dict(dummy=0.)


def _loader(inputs, batch_size=4, shuffle=False):
    return DataLoader([dict(inputs=x) for x in inputs],
                      batch_size=batch_size, shuffle=shuffle)


@pytest.fixture
def isolated_globals(monkeypatch):
    """Runner creates a default scope and a message hub; undo both."""
    monkeypatch.setattr(DefaultScope, '_instance_dict',
                        OrderedDict(DefaultScope._instance_dict))
    monkeypatch.setattr(MessageHub, '_instance_dict',
                        OrderedDict(MessageHub._instance_dict))


# PreciseBN batches come from another distribution than the training ones,
# so momentum-decayed and recomputed statistics differ clearly.
_PBN_INPUTS = torch.randn(12, 2, generator=torch.Generator().manual_seed(1)) \
    * 3. + 5.


def _expected_stats(linear_weight, linear_bias):
    """Mean over the 3 PreciseBN batches of the per-batch statistics."""
    feats = [x @ linear_weight.T + linear_bias
             for x in _PBN_INPUTS.split(4)]
    mean = torch.stack([f.mean(0) for f in feats]).mean(0)
    var = torch.stack([f.var(0, unbiased=True) for f in feats]).mean(0)
    return mean, var


def _run(work_dir, loop, with_hook=True, val_interval=2):
    torch.manual_seed(0)
    train = torch.randn(16, 2)
    model = _Model()
    hooks = [PreciseBNHook(num_iters=3, module='student',
                           dataloader=_loader(_PBN_INPUTS))
             ] if with_hook else []
    if loop == 'semi':
        train_cfg = dict(type=SemiIterBasedTrainLoop,
                         unlabeled_dataloader=_loader(train, shuffle=True),
                         max_iters=4, val_interval=val_interval)
    else:
        train_cfg = dict(by_epoch=False, max_iters=4,
                         val_interval=val_interval)
    runner = Runner(
        model=model,
        work_dir=str(work_dir),
        train_dataloader=_loader(train, shuffle=True),
        val_dataloader=_loader(torch.zeros(4, 2)),
        val_evaluator=Evaluator(_Metric()),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=train_cfg,
        custom_hooks=hooks,
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=2,
                            by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmssar',
        randomness=dict(seed=0),
        experiment_name=f'pbn_{osp.basename(work_dir)}_{time.time_ns()}')
    runner.train()
    return runner, model


@pytest.mark.parametrize('loop', ['semi', 'mmengine'])
def test_validated_and_saved_student_carry_precise_bn(tmp_path, loop,
                                                      isolated_globals):
    runner, model = _run(tmp_path / loop, loop)
    assert len(model.val_stats) == 2  # after iterations 2 and 4
    for (val_mean, val_var), it in zip(model.val_stats, (2, 4)):
        ckpt = torch.load(
            osp.join(tmp_path, loop, f'iter_{it}.pth'), map_location='cpu',
            weights_only=False)['state_dict']
        mean, var = _expected_stats(ckpt['student.linear.weight'],
                                    ckpt['student.linear.bias'])
        # the checkpoint of iteration `it` ...
        torch.testing.assert_close(ckpt['student.bn.running_mean'], mean)
        torch.testing.assert_close(ckpt['student.bn.running_var'], var)
        # ... and the model validated after iteration `it`
        torch.testing.assert_close(val_mean, mean)
        torch.testing.assert_close(val_var, var)
    # the trained model returned at the end carries them as well
    final = model.student
    mean, var = _expected_stats(final.linear.weight.detach(),
                                final.linear.bias.detach())
    torch.testing.assert_close(final.bn.running_mean, mean)


def test_without_hook_statistics_are_momentum_decayed(tmp_path,
                                                      isolated_globals):
    # the reference for the test above: without the hook, the validated
    # statistics are not the PreciseBN ones
    _, model = _run(tmp_path / 'none', 'semi', with_hook=False)
    val_mean, _ = model.val_stats[-1]
    mean, _ = _expected_stats(model.student.linear.weight.detach(),
                              model.student.linear.bias.detach())
    assert (val_mean - mean).abs().max() > 0.5


def test_hook_leaves_training_unchanged(tmp_path, isolated_globals):
    # same weights with and without the hook: the recomputation neither
    # moves the random streams (dropout, shuffling) nor the training loaders
    _, with_hook = _run(tmp_path / 'a', 'semi', with_hook=True)
    _, without = _run(tmp_path / 'b', 'semi', with_hook=False)
    for a, b in zip(with_hook.student.parameters(),
                    without.student.parameters()):
        assert torch.equal(a, b)


def test_one_recomputation_per_iteration(tmp_path, isolated_globals,
                                         monkeypatch):
    # checkpoint, validation and end of training after iteration 4 share
    # one recomputation; iteration 2 gets one for its checkpoint + val
    calls = []
    orig = PreciseBNHook.update
    monkeypatch.setattr(PreciseBNHook, 'update',
                        lambda self, runner: (calls.append(runner.iter),
                                              orig(self, runner)))
    _run(tmp_path / 'c', 'semi')
    assert len(calls) == 2


def test_validation_alone_does_not_recompute(tmp_path, isolated_globals,
                                             monkeypatch):
    runner, _ = _run(tmp_path / 'd', 'semi')
    called = []
    monkeypatch.setattr(PreciseBNHook, 'update',
                        lambda self, runner: called.append(1))
    runner.val()
    assert not called


def test_precise_bn_equals_mean_of_batch_statistics(monkeypatch):
    torch.manual_seed(0)
    batches = [dict(inputs=torch.randn(8, 3) * (i + 1) + i)
               for i in range(4)]

    class _Plain(nn.Module):

        def __init__(self):
            super().__init__()
            self.student = nn.Sequential(nn.BatchNorm1d(3))
            self.data_preprocessor = BaseDataPreprocessor()

    model = _Plain()
    model.student[0].running_mean.fill_(100.)  # stale statistics
    model.student.eval()

    class _Runner:
        pass

    runner = _Runner()
    runner.model = model
    hook = PreciseBNHook(num_iters=4, module='student', dataloader=batches)
    torch.manual_seed(123)
    expected_rng = torch.rand(1)
    torch.manual_seed(123)
    hook.update(runner)
    # the training RNG stream is untouched by the hook
    assert torch.equal(torch.rand(1), expected_rng)
    means = torch.stack([b['inputs'].mean(0) for b in batches])
    vars_ = torch.stack([b['inputs'].var(0, unbiased=True) for b in batches])
    bn = model.student[0]
    torch.testing.assert_close(bn.running_mean, means.mean(0))
    torch.testing.assert_close(bn.running_var, vars_.mean(0))
    # momentum and mode are restored
    assert bn.momentum == 0.1
    assert not model.student.training


def test_unknown_module_is_named():
    class _Runner:
        model = nn.Module()

    hook = PreciseBNHook(module='student.backbone', dataloader=[])
    with pytest.raises(AttributeError, match="no sub-module 'student'"):
        hook.update(_Runner())


def test_checkpoints_between_validations_carry_precise_bn(tmp_path,
                                                          isolated_globals):
    # checkpoints every 2 iterations, validation only at the end: the
    # checkpoint of iteration 2 (no validation after it) is recomputed too
    runner, model = _run(tmp_path / 'e', 'semi', val_interval=4)
    assert len(model.val_stats) == 1
    ckpt = torch.load(osp.join(tmp_path, 'e', 'iter_2.pth'),
                      map_location='cpu', weights_only=False)['state_dict']
    mean, var = _expected_stats(ckpt['student.linear.weight'],
                                ckpt['student.linear.bias'])
    torch.testing.assert_close(ckpt['student.bn.running_mean'], mean)
    torch.testing.assert_close(ckpt['student.bn.running_var'], var)
