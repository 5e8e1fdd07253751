# A stock MMAction2 recipe turned into FixMatch the documented way
# (docs/refused_skipped_counted.md, "From an MMAction2 recipe"): the recipe's
# epoch-based schedule, checkpoint interval and logging are converted by
# SemiIterBasedTrainLoop, which also installs EMATeacherHook. Only the sizes
# are shrunk for the tiny synthetic set.
_base_ = [
    'mmaction::recognition/slowonly/'
    'slowonly_r50_8xb16-4x16x1-256e_kinetics400-rgb.py'
]
default_scope = 'mmssar'
custom_imports = dict(imports=['mmssar'], allow_failed_imports=False)

# --- the SSL lines -------------------------------------------------------
data_root = '{{$MMSSAR_SYNTH_ROOT:data/synthetic_motion}}'
model = dict(
    _delete_=True,
    type='FixMatchRecognizer',
    student=_base_.model,
    semi_train_cfg=dict(threshold=0.0))
# `_scope_`: dicts of an `mmaction::` base are built in the mmaction scope,
# which does not know mmssar transforms such as MultiView
labeled_set = dict(_base_.train_dataloader.dataset, _scope_='mmssar',
                   ann_file=data_root + '/splits/labeled.txt')
unlabeled_set = dict(_base_.train_dataloader.dataset, _scope_='mmssar',
                     ann_file=data_root + '/splits/unlabeled.txt')
train_dataloader = dict(
    dataset=dict(_delete_=True, type='SemiDataset', role='labeled',
                 dataset=labeled_set))
unlabeled_dataloader = dict(
    _base_.train_dataloader,
    dataset=dict(type='SemiDataset', role='unlabeled',
                 dataset=unlabeled_set))
train_cfg = dict(
    _delete_=True,
    type='SemiIterBasedTrainLoop',
    unlabeled_dataloader=unlabeled_dataloader,
    max_iters=8,
    val_interval=8)
# -------------------------------------------------------------------------

# shrink the recipe for CPU (not part of the pattern)
model.update(student=dict(
    _base_.model,
    backbone=dict(_base_.model.backbone, depth=18, base_channels=8,
                  conv1_kernel=(1, 7, 7)),
    cls_head=dict(_base_.model.cls_head, in_channels=64, num_classes=4)))
pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
unlabeled_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='MultiView', views=dict(
        weak=[dict(type='FormatShape', input_format='NCTHW'),
              dict(type='PackActionInputs')],
        strong=[dict(type='VideoRandAugment', num_ops=1, magnitude=5),
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')]))
]
labeled_set.update(data_prefix=dict(video=data_root), pipeline=pipeline)
unlabeled_set.update(data_prefix=dict(video=data_root),
                     pipeline=unlabeled_pipeline)
train_dataloader.update(batch_size=4, num_workers=0, persistent_workers=False)
unlabeled_dataloader.update(batch_size=4, num_workers=0,
                            persistent_workers=False)
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root),
        pipeline=[*pipeline[:3], pipeline[4], *pipeline[5:]]))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(checkpoint=dict(interval=1))
