"""Tiny ACL+MTL recognizers and batches with long views for the tests."""
import copy
import os.path as osp
import sys

import torch
from mmaction.structures import ActionDataSample

from mmssar.registry import MODELS

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(__file__)),
                            'test_models'))
from test_semi_recognizers import NUM_CLASSES, STUDENTS  # noqa: E402

SHAPE = (1, 3, 8, 32, 32)


def build_acl_mtl(seed=0, acl=None, mtl=None, **kwargs):
    """An ACLMTLRecognizer around the tiny r3d student (feature width 64)."""
    torch.manual_seed(seed)
    acl = dict(dict(bank=dict(size=16), reliability=dict(min_samples=4,
                                                         interval=1)),
               **(acl or {}))
    mtl = dict(dict(calibration=dict(embed_channels=16, num_heads=2)),
               **(mtl or {}))
    cfg = dict(type='ACLMTLRecognizer', student=copy.deepcopy(STUDENTS['r3d']),
               acl=acl, mtl=mtl)
    cfg.update(kwargs)
    cfg.setdefault('semi_train_cfg', dict(threshold=0.0))
    model = MODELS.build(cfg)
    model.sync_teacher()
    return model


def clip(gen):
    return torch.randint(0, 256, SHAPE, generator=gen, dtype=torch.uint8)


def acl_batches(n_sup=2, hidden=(0, 1, 2, 1), seed=0, long_views=('long', ),
                sup_long_views=()):
    """A labeled batch and an unlabeled batch with weak, strong and long
    views (lists of uint8 clips, as the packers produce them); with
    ``sup_long_views`` the labeled batch has the views ``'default'`` and
    those."""
    gen = torch.Generator().manual_seed(seed)
    inputs = [clip(gen) for _ in range(n_sup)]
    if sup_long_views:
        inputs = dict(default=inputs, **{
            v: [clip(gen) for _ in range(n_sup)] for v in sup_long_views})
    sup = dict(
        inputs=inputs,
        data_samples=[ActionDataSample().set_gt_label(i % NUM_CLASSES)
                      for i in range(n_sup)])
    samples = []
    for h in hidden:
        s = ActionDataSample().set_gt_label(-1)
        s.set_metainfo(dict(hidden_label=h, skipped=[]))
        samples.append(s)
    views = {v: [clip(gen) for _ in hidden]
             for v in ('weak', 'strong', *long_views)}
    return sup, dict(inputs=views, data_samples=samples)
