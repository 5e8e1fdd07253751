# A seconds-long ACL+MTL run for the engine tests (derived from the tiny
# ACL+MTL config; data from MMSSAR_SYNTH_ROOT).
_base_ = ['../../../configs/acl_mtl/acl-mtl_tiny-slowonly_1500it_synthetic-20shot.py']

student = _base_.student
student.backbone.base_channels = 8
student.cls_head.in_channels = 64
student.cls_head.num_classes = 4
zero = dict(type='RampUpWeight', weight=1.0, warmup=0, rampup=0)
model = dict(
    student=student,
    semi_train_cfg=dict(threshold=0.0, unsup_weight=zero),
    acl=dict(bank=dict(size=8), weight=zero,
             reliability=dict(min_samples=2, interval=1)),
    mtl=dict(calibration=dict(embed_channels=8, num_heads=2), weight=zero))

size = [dict(type='Resize', scale=(32, 32), keep_ratio=False)]
scales = dict(_base_.scales, clip_len=4)
views = _base_.unlabeled_pipeline[-1]['views']
unlabeled_pipeline = [
    dict(type='DecordInit'), scales, dict(type='DecordDecode'),
    dict(type='MultiView', shared=_base_.weak_aug[:1] + size, views=views)
]
short = dict(_base_.short, clip_len=4)
labeled_pipeline = [dict(type='DecordInit'), short, dict(type='DecordDecode'),
                    *_base_.weak_aug[:1], *size, *_base_.pack]
val_pipeline = [dict(type='DecordInit'), dict(short, test_mode=True),
                dict(type='DecordDecode'), *size, *_base_.pack]
root = _base_.data_root
train_dataloader = dict(batch_size=2, dataset=dict(num_classes=4, dataset=dict(
    ann_file=root + '/splits/labeled.txt', pipeline=labeled_pipeline)))
unlabeled_dataloader = _base_.unlabeled_dataloader
unlabeled_dataloader.batch_size = 2
unlabeled_dataloader.dataset.num_classes = 4
unlabeled_dataloader.dataset.dataset.ann_file = root + '/splits/unlabeled.txt'
unlabeled_dataloader.dataset.dataset.pipeline = unlabeled_pipeline
val_dataloader = dict(batch_size=4, dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(
    unlabeled_dataloader=unlabeled_dataloader, max_iters=3, val_interval=3)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=3, by_epoch=False, begin=0, end=3)
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=3))
