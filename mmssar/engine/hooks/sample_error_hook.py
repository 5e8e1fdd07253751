"""Errors of validation and test samples name the file."""
from mmengine.hooks import Hook
from mmengine.runner.base_loop import BaseLoop

from mmssar.datasets.input_checks import name_sample_errors
from mmssar.registry import HOOKS


@HOOKS.register_module()
class SampleErrorHook(Hook):
    """Make a failing validation / test sample name its file and index.

    Training sets are wrapped by :class:`~mmssar.datasets.SemiDataset`,
    which does this itself; validation and test lists usually are plain
    MMAction2 datasets, whose errors (e.g. a truncated clip) name nothing.
    Installed by the semi-supervised loops and ``tools/train.py`` /
    ``tools/test.py``; nothing to configure. The run still stops at the
    broken sample: a validation score over a silently shrunk set would not
    be comparable.
    """

    priority = 'VERY_LOW'

    def before_run(self, runner) -> None:
        # only loops already built: building one here would change when
        # its dataloader is created
        for attr, what in (('_val_loop', 'validation'), ('_test_loop',
                                                         'test')):
            loop = getattr(runner, attr, None)
            if isinstance(loop, BaseLoop):
                dataloader = getattr(loop, 'dataloader', None)
                dataset = getattr(dataloader, 'dataset', None)
                if dataset is not None:
                    name_sample_errors(dataset, what)
