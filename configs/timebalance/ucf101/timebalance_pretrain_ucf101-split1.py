# TimeBalance stage 1 on the UCF101 split 1 training list (labels unused):
# SlowOnly-R50 from scratch, 8 GPUs x 5 videos (the official batch of 40),
# Adam 5e-3 / weight decay 1e-9, 400 epochs with a 10-epoch warm-up and
# cosine decay (official: up to 1,000 epochs with a loss-plateau rule).
# The chain runs it with model.mode = invariant / distinctive / all.
_base_ = [
    '../_base_/slowonly_r50_scratch.py', '../_base_/timebalance_pipelines.py',
    '../../_base_/datasets/semi_ucf101_split1.py', '../../_base_/default_runtime.py'
]

model = dict(
    _delete_=True,
    type='TemporalContrastivePretrainer',
    backbone=_base_.model.backbone,
    neck=dict(type='TemporalSliceProjector', in_channels=2048,
              hidden_channels=128, out_channels=128, num_slices=4),
    mode='all',
    num_dense=4,
    temperature=0.1,
    data_preprocessor=_base_.model.data_preprocessor)
train_dataloader = dict(
    _delete_=True,
    batch_size=5,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='VideoDataset', ann_file=_base_.ann_file_train,
                 data_prefix=dict(video=_base_.data_root),
                 pipeline=_base_.ssl_pipeline))
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=400)
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='Adam', lr=5e-3, weight_decay=1e-9))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=390, eta_min=1e-6, by_epoch=True,
         begin=10, end=400)
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2))
auto_scale_lr = dict(enable=False, base_batch_size=40)
