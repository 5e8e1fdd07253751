# Mean Teacher with an X3D-M student from scratch, UCF101 split 1 with 10 %
# labels: data (8x8x1 clips at 224 px), optimiser and 43k-iteration
# schedule of the 3D-ResNet18 configs (configs/meanteacher), the ramp-up as
# long as their warm-up (not tuned; no figure measured here).
_base_ = [
    '../_base_/models/meanteacher_x3d_m.py',
    '../_base_/datasets/semi_ucf101_split1.py',
    '../_base_/datasets/semi_video_pipelines_8x8x1.py',
    '../_base_/schedules/semi_sgd_r3d.py',
    '../_base_/semi_runtime.py'
]

max_iters = 43000
warmup_iters = 7000
val_interval = 2000

model = dict(
    student=dict(cls_head=dict(num_classes=_base_.num_classes)),
    semi_train_cfg=dict(unsup_weight=dict(rampup=warmup_iters)))

train_dataloader = dict(
    batch_size=5, dataset=dict(dataset=dict(pipeline=_base_.labeled_pipeline)))
train_cfg = dict(
    max_iters=max_iters,
    val_interval=val_interval,
    unlabeled_dataloader=dict(
        batch_size=5,
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
