# FixMatch, 3D-ResNet18 from scratch, UCF101 split 1 with 10 % labels: the
# FixMatch baseline as LTG (Xiao et al., CVPR 2022) runs it (RGB only).
# 8 GPUs x (5 labeled + 5 unlabeled clips); 43k iterations = LTG's 180
# epochs over the 9,537-video unlabeled pool (238 iterations each), with 30
# epochs (7k iterations) of lr warm-up and supervised-only warm-up.
_base_ = [
    '../_base_/models/fixmatch_r3d18_scratch.py',
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
    semi_train_cfg=dict(unsup_weight=dict(warmup=warmup_iters)))

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
