# TimeBalance stage 1 (self-supervised pre-training) of the tiny SlowOnly on
# the synthetic motion training list (labels unused), CPU size. The chain
# runs it three times with `model.mode` = invariant / distinctive / all.
# Clips: span of 16 frames, the sparse clip 4 frames at stride 4, four dense
# clips of 4 consecutive frames (the paper: 16 at stride 4 / 4 x 16).
_base_ = [
    '../../_base_/models/tiny_slowonly.py',
    '../../_base_/datasets/synthetic_motion_20shot.py',
    '../../_base_/default_runtime.py'
]

max_iters = 300
model = dict(
    _delete_=True,
    type='TemporalContrastivePretrainer',
    backbone=_base_.model.backbone,
    neck=dict(type='TemporalSliceProjector', in_channels=128,
              hidden_channels=128, out_channels=128, num_slices=4),
    mode='all',
    num_dense=4,
    temperature=0.1,
    data_preprocessor=_base_.model.data_preprocessor)

clip_aug = [
    dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    # no hue: MMAction2 1.2's hue jitter overflows uint8 under NumPy 2
    dict(type='ColorJitter', brightness=0.25, contrast=0.25, saturation=0.25,
         hue=0),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
pretrain_pipeline = [
    dict(type='DecordInit'),
    dict(type='SparseDenseSampleFrames', clip_len=4, stride=4),
    dict(type='DecordDecode'),
    dict(type='SparseDenseViews', pipeline=clip_aug, num_augs=2)
]
train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='VideoDataset', ann_file=_base_.ann_file_train,
                 data_prefix=_base_.video_prefix,
                 pipeline=pretrain_pipeline))
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None

# the recipe's optimiser (Adam 5e-3, weight decay 1e-9); an iteration
# schedule with a linear warm-up instead of the official loss-plateau rule
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-3, weight_decay=1e-9))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=30),
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-5,
         by_epoch=False, begin=0, end=max_iters)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=100, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
