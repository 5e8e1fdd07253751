"""A test-only hook: every rank saves its teacher and student at the end."""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmssar.registry import HOOKS


@HOOKS.register_module()
class RankDumpHook(Hook):

    def after_train(self, runner):
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        torch.save({k: v.cpu() for k, v in model.state_dict().items()},
                   osp.join(runner.work_dir, f'weights_rank{get_rank()}.pth'))
