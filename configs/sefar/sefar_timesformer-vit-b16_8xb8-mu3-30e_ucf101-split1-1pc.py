# SeFAR-B (TimeSformer ViT-B/16), UCF101 split 1, 1 % labels.
# Paper: 50.3 % top-1 (SeFAR-B). 101 labeled clips / 64 per step ->
# 2 iterations per epoch; 30 epochs, 5 supervised, lr x0.1 at 25 and 28.
_base_ = [
    '../_base_/datasets/semi_ucf101_split1.py',
    './_base_/sefar_timesformer-vit-b16.py'
]

iters_per_epoch = 2
ann_file_labeled = 'data/ucf101/splits/ucf101_train_split_1_1pc_labeled.txt'
ann_file_unlabeled = (
    'data/ucf101/splits/ucf101_train_split_1_1pc_unlabeled.txt')

max_iters = 30 * iters_per_epoch
model = dict(
    student=dict(cls_head=dict(num_classes=_base_.num_classes)),
    semi_train_cfg=dict(
        unsup_weight=dict(
            warmup=5 * iters_per_epoch,
            rampup=25 * iters_per_epoch,
            offset=iters_per_epoch)))
train_dataloader = dict(
    batch_size=_base_.labeled_batch_size,
    dataset=dict(
        dataset=dict(
            ann_file=ann_file_labeled, pipeline=_base_.labeled_pipeline)))
train_cfg = dict(
    max_iters=max_iters,
    val_interval=5 * iters_per_epoch,
    unlabeled_includes_labeled=False,
    unlabeled_dataloader=dict(
        batch_size=_base_.labeled_batch_size * _base_.mu,
        dataset=dict(
            dataset=dict(
                ann_file=ann_file_unlabeled,
                pipeline=_base_.unlabeled_pipeline))))
val_dataloader = dict(dataset=dict(pipeline=_base_.val_pipeline))
test_dataloader = dict(
    batch_size=1, dataset=dict(pipeline=_base_.test_pipeline))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[25 * iters_per_epoch, 28 * iters_per_epoch], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=5 * iters_per_epoch))
