# TimeBalance stage 2 on HMDB51 split 1: a pre-trained SlowOnly-R50 (the
# chain's init_from, backbone weights — the official R50 path never loads
# them) fine-tuned with CE on the labeled list (the chain sets it), 8 GPUs x
# 2 clips (the official batch of 16), Adam 1e-4, 150 epochs with a 10-epoch
# warm-up and cosine decay (official: loss-threshold LR drops). Also the
# K-clip pipeline of tools/data/temporal_similarity.py.
_base_ = [
    '../_base_/slowonly_r50_scratch.py', '../_base_/timebalance_pipelines.py',
    '../../_base_/datasets/semi_hmdb51_split1.py', '../../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=_base_.num_classes))
train_dataloader = dict(
    _delete_=True,
    batch_size=2,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='VideoDataset', ann_file=_base_.ann_file_labeled,
                 data_prefix=dict(video=_base_.data_root),
                 pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=1,
    dataset=dict(pipeline=_base_.val_pipeline, test_mode=True))
test_dataloader = val_dataloader
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=150,
                 val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(type='AmpOptimWrapper',
                     optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=140, eta_min=1e-6, by_epoch=True,
         begin=10, end=150)
]
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2))
auto_scale_lr = dict(enable=False, base_batch_size=16)

similarity_dataloader = dict(
    batch_size=4,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file=_base_.ann_file_train,
                 data_prefix=dict(video=_base_.data_root),
                 pipeline=_base_.similarity_pipeline, test_mode=True))
