# FixMatch, 3D-ResNet18 from scratch, Kinetics-400 with 10 % labels (60 per
# class), as LTG runs Kinetics-400: 8 GPUs x (8 labeled + 8 unlabeled clips),
# 90 epochs over the ~240k-video pool (3,750 iterations each) = 337k
# iterations, 15 epochs (56k iterations) of lr and supervised-only warm-up.
_base_ = [
    '../_base_/models/fixmatch_r3d18_scratch.py',
    '../_base_/datasets/semi_kinetics400.py',
    '../_base_/datasets/semi_video_pipelines_8x8x1.py',
    '../_base_/schedules/semi_sgd_r3d.py',
    '../_base_/semi_runtime.py'
]

max_iters = 337000
warmup_iters = 56000
val_interval = 10000

model = dict(
    student=dict(cls_head=dict(num_classes=_base_.num_classes)),
    semi_train_cfg=dict(unsup_weight=dict(warmup=warmup_iters)))

train_dataloader = dict(
    batch_size=8, dataset=dict(dataset=dict(pipeline=_base_.labeled_pipeline)))
train_cfg = dict(
    max_iters=max_iters,
    val_interval=val_interval,
    unlabeled_dataloader=dict(
        batch_size=8,
        dataset=dict(dataset=dict(pipeline=_base_.unlabeled_pipeline))))
val_dataloader = dict(dataset=dict(pipeline=_base_.val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=_base_.test_pipeline))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters,
         eta_min=0, by_epoch=False, begin=warmup_iters, end=max_iters)
]
default_hooks = dict(checkpoint=dict(interval=val_interval))
# LTG keeps lr 0.2 with 8 x 8 labeled clips on Kinetics-400
auto_scale_lr = dict(base_batch_size=64)
