# FixMatch with a TimeSformer student (divided space-time attention,
# ViT-B/16 from ImageNet-21k), UCF101 split 1 with 10 % labels: 8 GPUs x
# (8 labeled + 8 unlabeled clips of 8 frames, stride 8, 224 px), 15k
# iterations with 10 % lr warm-up (not tuned; no figure measured here).
_base_ = [
    '../_base_/models/fixmatch_timesformer_divst.py',
    '../_base_/datasets/semi_ucf101_split1.py',
    '../_base_/datasets/semi_video_pipelines_8x8x1.py',
    '../_base_/schedules/semi_sgd_timesformer.py',
    '../_base_/semi_runtime.py'
]

max_iters = 15000
warmup_iters = 1500
val_interval = 1000

model = dict(student=dict(cls_head=dict(num_classes=_base_.num_classes)))

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
