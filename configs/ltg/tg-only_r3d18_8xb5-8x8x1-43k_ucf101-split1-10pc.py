# TG-only 3D-ResNet18 from scratch on UCF101 split 1: trained (supervised) on
# the temporal gradient of the 10 % labeled clips and validated / tested on
# temporal gradients, with the optimiser and schedule of the LTG config
# (8 GPUs x 5 clips, 43k iterations, lr warm-up times cosine).
#
# It is also the test config of the TG network of an LTG run, which must be
# tested on TG input, not RGB (official repository, issue #5):
#   python tools/misc/export_checkpoint.py LTG_WORK_DIR/best_*.pth tg.pth \
#       --which tg_student
#   python tools/test.py \
#       configs/ltg/tg-only_r3d18_8xb5-8x8x1-43k_ucf101-split1-10pc.py tg.pth
_base_ = [
    '../_base_/models/r3d18_scratch.py',
    '../_base_/datasets/semi_ucf101_split1.py',
    '../_base_/schedules/semi_sgd_r3d.py', '../_base_/default_runtime.py',
    '../_base_/ltg_8x8x1.py'
]

max_iters = 43000
warmup_iters = 7000
val_interval = 2000

model = dict(
    cls_head=dict(num_classes=_base_.num_classes, average_clips='score'))
train_dataloader = dict(
    _delete_=True,
    batch_size=5,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='VideoDataset',
        ann_file=_base_.ann_file_labeled,
        data_prefix=dict(video=_base_.data_root),
        pipeline=_base_.tg_train_pipeline))
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=val_interval)
val_dataloader = dict(dataset=dict(pipeline=_base_.tg_val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=_base_.tg_test_pipeline))
param_scheduler = [
    dict(_base_.ltg_warmup, end=warmup_iters),
    dict(_base_.ltg_cosine, T_max=max_iters, end=max_iters)
]
default_hooks = dict(
    checkpoint=dict(
        by_epoch=False,
        interval=val_interval,
        save_best='acc/top1',
        max_keep_ckpts=3))
log_processor = dict(by_epoch=False)
