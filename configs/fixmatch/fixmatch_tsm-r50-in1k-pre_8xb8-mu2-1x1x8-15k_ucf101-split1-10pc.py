# FixMatch, TSM-R50 (ImageNet-pretrained), UCF101 split 1 with 10 % labels.
# 8 GPUs; 15k iterations = 200 epochs over the 9,537-video unlabeled pool
# at 128 unlabeled clips per iteration (200 epochs: SeFAR's FixMatch row).
_base_ = [
    '../_base_/models/fixmatch_tsm_r50_in1k-pre.py',
    '../_base_/datasets/semi_ucf101_split1.py',
    '../_base_/datasets/semi_video_pipelines_tsm-1x1x8.py',
    '../_base_/schedules/semi_sgd_tsm.py',
    '../_base_/semi_runtime.py'
]

max_iters = 15000
# lr warm-up: 10 % of the run, as in the TSM recipe (5 of 50 epochs)
warmup_iters = 1500
val_interval = 1000

model = dict(student=dict(cls_head=dict(num_classes=_base_.num_classes)))

# 8 labeled + 16 unlabeled clips per GPU (mu = 2)
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
