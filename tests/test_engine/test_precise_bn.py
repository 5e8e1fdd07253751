"""PreciseBNHook replaces running BN statistics by exact batch averages."""
from types import SimpleNamespace

import torch
from mmengine.model import BaseDataPreprocessor
from torch import nn

from mmssar.engine.hooks import PreciseBNHook


class _Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(3)

    def extract_feat(self, inputs, stage='backbone'):
        return self.bn(inputs)


class _Model(nn.Module):

    def __init__(self):
        super().__init__()
        self.student = _Net()
        self.data_preprocessor = BaseDataPreprocessor()


def test_precise_bn_equals_mean_of_batch_statistics():
    torch.manual_seed(0)
    batches = [dict(inputs=torch.randn(8, 3) * (i + 1) + i)
               for i in range(4)]
    model = _Model()
    model.student.bn.running_mean.fill_(100.)  # stale statistics
    model.student.eval()
    runner = SimpleNamespace(model=model, train_dataloader=batches, seed=0)
    hook = PreciseBNHook(num_iters=4, module='student')
    torch.manual_seed(123)
    expected_rng = torch.rand(1)
    torch.manual_seed(123)
    hook.update(runner)
    # the training RNG stream is untouched by the hook
    assert torch.equal(torch.rand(1), expected_rng)
    means = torch.stack([b['inputs'].mean(0) for b in batches])
    vars_ = torch.stack([b['inputs'].var(0, unbiased=True) for b in batches])
    torch.testing.assert_close(model.student.bn.running_mean, means.mean(0))
    torch.testing.assert_close(model.student.bn.running_var, vars_.mean(0))
    # momentum and mode are restored
    assert model.student.bn.momentum == 0.1
    assert not model.student.training
