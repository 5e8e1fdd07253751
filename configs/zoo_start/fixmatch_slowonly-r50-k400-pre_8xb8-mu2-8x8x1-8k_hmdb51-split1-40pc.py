# FixMatch, SlowOnly-R50 (8x8x1) started from MMAction2's Kinetics-400
# checkpoint, HMDB51 split 1 with 40 % labels of the 5,236-clip pool.
# 8 GPUs x (8 labeled + 16 unlabeled clips), 8k iterations, as the TSM
# HMDB51 configs.
_base_ = [
    '../_base_/models/fixmatch_slowonly_r50.py',
    '../_base_/datasets/semi_hmdb51_split1.py',
    '../_base_/datasets/semi_video_pipelines_8x8x1.py',
    '../_base_/schedules/semi_sgd_finetune_k400.py',
    '../_base_/semi_runtime.py', '../_base_/models/zoo_checkpoints.py'
]

max_iters = 8000
warmup_iters = 800
val_interval = 500

model = dict(student=dict(cls_head=dict(num_classes=_base_.num_classes)))
custom_hooks = [
    dict(type='EMATeacherHook'),
    dict(type='PretrainedRecognizerHook',
         checkpoint=_base_.slowonly_r50_k400),
]

train_dataloader = dict(
    batch_size=8, dataset=dict(dataset=dict(pipeline=_base_.labeled_pipeline)))
train_cfg = dict(
    max_iters=max_iters,
    val_interval=val_interval,
    unlabeled_dataloader=dict(
        batch_size=16,
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
