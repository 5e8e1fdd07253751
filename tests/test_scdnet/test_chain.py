"""SCD-Net downstream chain through the shipped CPU configs:
pre-train -> linear probe (frozen encoder) -> semi-supervised fine-tune /
FixMatch -> kNN retrieval tool, on synthetic skeletons (always) and on a
small real NW-UCLA subset (when ../shared/data is present).

The configs of configs/scdnet/cpu/ read their pickles from
``$MMSSAR_SKELETON_ROOT``; the tests point it at ``tmp_path`` and shrink the
encoder and schedules with config overrides.
"""
import glob
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

CFG = 'configs/scdnet/cpu/{}_nwucla-xview.py'
TINY_ENCODER = dict(base_channels=4, d_model=16, num_heads=2)
CLASSES = 3


def _write_pickles(root, annotations, per_class=2):
    """nwucla_3d.pkl + the labeled / unlabeled pickles the configs expect.

    ``annotations`` carry a ``view``; views 1-2 train, view 3 tests.
    """
    train = [a['frame_dir'] for a in annotations if a['view'] != 3]
    val = [a['frame_dir'] for a in annotations if a['view'] == 3]
    anns = [{k: v for k, v in a.items() if k != 'view'} for a in annotations]
    by_name = {a['frame_dir']: a for a in anns}
    labeled, counts = [], {}
    for name in train:
        label = by_name[name]['label']
        if counts.get(label, 0) < per_class:
            counts[label] = counts.get(label, 0) + 1
            labeled.append(name)
    unlabeled = [n for n in train if n not in labeled]

    def dump(fname, split, names):
        with open(osp.join(root, fname), 'wb') as f:
            pickle.dump(
                dict(split=split, annotations=[by_name[n] for n in names]), f)

    dump('nwucla_3d.pkl', dict(xview_train=train, xview_val=val), train + val)
    dump('nwucla_xview_10pc_labeled.pkl', dict(labeled=labeled), labeled)
    dump('nwucla_xview_10pc_unlabeled.pkl', dict(unlabeled=unlabeled),
         unlabeled)


def _synthetic_annotations(num_per_class=6):
    """Kinect-v1-shaped clips whose class sets the moving joints."""
    rng = np.random.default_rng(0)
    anns = []
    for label in range(CLASSES):
        for i in range(num_per_class):
            T = int(rng.integers(12, 30))
            base = rng.normal(0, 0.3, (20, 3))
            t = np.linspace(0, 2 * np.pi, T)[:, None]
            kp = np.repeat(base[None], T, axis=0)
            kp[:, 4 + 4 * label:8 + 4 * label, 0] += np.sin(t)
            anns.append(
                dict(frame_dir=f'syn_c{label}_{i}',
                     label=label,
                     total_frames=T,
                     keypoint=kp[None].astype(np.float32),
                     view=3 if i % 3 == 2 else 1))
    return anns


def _real_annotations(shared_data, per_class_view=2):
    from mmssar.datasets.skeleton_formats import (parse_nwucla_name,
                                                  read_nwucla_json)
    files = sorted(
        glob.glob(osp.join(shared_data, 'skeleton', 'nw_ucla', '*.json')))
    picked, counts = [], {}
    for path in files:
        info = parse_nwucla_name(osp.basename(path)[:-5])
        ann = read_nwucla_json(path)
        if ann['label'] >= CLASSES:
            continue
        key = (ann['label'], info['view'])
        if counts.get(key, 0) < per_class_view:
            counts[key] = counts.get(key, 0) + 1
            picked.append(dict(ann, view=info['view']))
    return picked


def _cfg(project_root, name, work_dir, **options):
    cfg = Config.fromfile(osp.join(project_root, CFG.format(name)))
    cfg.work_dir = str(work_dir)
    cfg.log_level = 'WARNING'
    iters = options.pop('iters', 2)
    base = dict(train_cfg=dict(max_iters=iters),
                default_hooks=dict(checkpoint=dict(interval=iters)),
                train_dataloader=dict(batch_size=4))
    if cfg.train_cfg.get('val_interval') is not None:
        base['train_cfg']['val_interval'] = iters
    cfg.merge_from_dict(base)
    cfg.merge_from_dict(options)
    return cfg


def _head(ckpt):
    return dict(backbone=dict(**TINY_ENCODER,
                              init_cfg=dict(type='Pretrained',
                                            checkpoint=ckpt,
                                            prefix='backbone.')),
                cls_head=dict(in_channels=2 * TINY_ENCODER['d_model']))


def _run_chain(project_root, root, tmp_path, monkeypatch, fixmatch=False):
    monkeypatch.setenv('MMSSAR_SKELETON_ROOT', str(root))

    # 1. pre-training
    cfg = _cfg(project_root,
               'scdnet-cpu_pretrain',
               tmp_path / 'pre',
               model=dict(backbone=TINY_ENCODER, queue_size=8))
    Runner.from_cfg(cfg).train()
    ckpt = str(tmp_path / 'pre' / 'iter_2.pth')
    pre_state = torch.load(ckpt, map_location='cpu',
                           weights_only=False)['state_dict']
    pre_backbone = {
        k[len('backbone.'):]: v
        for k, v in pre_state.items() if k.startswith('backbone.')
    }

    # 2. linear evaluation: only the head may change
    cfg = _cfg(project_root,
               'scdnet-cpu_linear_10shot',
               tmp_path / 'lin',
               iters=3,
               model=_head(ckpt))
    runner = Runner.from_cfg(cfg)
    head_before = runner.model.cls_head.fc.weight.detach().clone()
    runner.train()
    assert runner.model.backbone.frozen
    after = runner.model.backbone.state_dict()
    assert set(after) == set(pre_backbone)
    for key, value in pre_backbone.items():  # incl. BN running statistics
        torch.testing.assert_close(after[key], value, msg=key)
    assert not torch.equal(runner.model.cls_head.fc.weight, head_before)

    # 3. semi-supervised fine-tuning: the encoder starts from pre-training
    #    and is trained
    cfg = _cfg(project_root,
               'scdnet-cpu_finetune_10shot',
               tmp_path / 'ft',
               model=_head(ckpt))
    runner = Runner.from_cfg(cfg)
    runner.train()
    tuned = runner.model.backbone.state_dict()
    name = 'embed_t.0.weight'
    assert not torch.equal(tuned[name], pre_backbone[name])
    acc = runner.val_loop.run()['acc/top1']
    assert 0.0 <= acc <= 1.0

    if fixmatch:
        # FixMatch with the pre-trained encoder as the student
        cfg = _cfg(project_root,
                   'scdnet-cpu_fixmatch_10shot',
                   tmp_path / 'fm',
                   model=dict(student=_head(ckpt)),
                   train_cfg=dict(unlabeled_dataloader=dict(batch_size=4)))
        runner = Runner.from_cfg(cfg)
        student = runner.model.student
        runner.train()
        assert student.backbone.embed_t[0].weight.shape[0] == \
            TINY_ENCODER['d_model']

    # 4. kNN retrieval on the frozen pre-trained features
    sys.path.insert(0, osp.join(project_root, 'tools', 'misc'))
    try:
        import knn_eval
    finally:
        sys.path.pop(0)
    results = knn_eval.main([
        osp.join(project_root,
                 CFG.format('scdnet-cpu_linear_10shot')), '--checkpoint', ckpt,
        '--k', '1', '3', '--cfg-options', 'model.backbone.base_channels=4',
        'model.backbone.d_model=16', 'model.backbone.num_heads=2'
    ])
    assert set(results) == {'knn1_top1', 'knn3_top1'}
    assert all(0 <= v <= 100 for v in results.values())


def test_chain_synthetic(project_root, tmp_path, monkeypatch):
    root = tmp_path / 'data'
    root.mkdir()
    _write_pickles(str(root), _synthetic_annotations())
    _run_chain(project_root, root, tmp_path, monkeypatch, fixmatch=True)


def test_chain_real_nwucla_subset(project_root, shared_data, tmp_path,
                                  monkeypatch):
    root = tmp_path / 'data'
    root.mkdir()
    anns = _real_annotations(shared_data)
    assert {a['view'] for a in anns} == {1, 2, 3}
    _write_pickles(str(root), anns)
    _run_chain(project_root, root, tmp_path, monkeypatch)


def test_knn_tool_rejects_missing_prefix(project_root, tmp_path):
    sys.path.insert(0, osp.join(project_root, 'tools', 'misc'))
    try:
        import knn_eval
    finally:
        sys.path.pop(0)
    ckpt = tmp_path / 'bad.pth'
    torch.save(dict(state_dict={'encoder.w': torch.zeros(1)}), ckpt)
    cfg = Config.fromfile(
        osp.join(project_root, CFG.format('scdnet-cpu_linear_10shot')))
    cfg.merge_from_dict(dict(model=dict(backbone=TINY_ENCODER)))
    with pytest.raises(KeyError, match='no key starts with'):
        knn_eval.build_model(cfg, str(ckpt))
