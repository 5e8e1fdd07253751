# An unchanged MMAction2 recipe inherited with the mmssar scope: only the
# sizes are shrunk so that it trains on the tiny synthetic set on CPU.
_base_ = [
    'mmaction::recognition/slowonly/'
    'slowonly_r50_8xb16-4x16x1-256e_kinetics400-rgb.py'
]
default_scope = 'mmssar'
custom_imports = dict(imports=['mmssar'], allow_failed_imports=False)

data_root = '{{$MMSSAR_SYNTH_ROOT:data/synthetic_motion}}'
model = dict(
    backbone=dict(depth=18, base_channels=8, conv1_kernel=(1, 7, 7)),
    cls_head=dict(in_channels=64, num_classes=4))
pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=data_root + '/train.txt',
        data_prefix=dict(video=data_root),
        pipeline=pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=data_root + '/val.txt',
        data_prefix=dict(video=data_root),
        pipeline=pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True)]
optim_wrapper = dict(optimizer=dict(lr=0.01))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
