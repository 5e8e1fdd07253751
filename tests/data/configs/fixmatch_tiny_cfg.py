# A seconds-long FixMatch run for the engine tests (derived from the
# quickstart config; data from MMSSAR_SYNTH_ROOT).
_base_ = ['../../../configs/quickstart/fixmatch_tiny-slowonly_1500it_synthetic-20shot.py']

student = _base_.student
student.backbone.base_channels = 8
student.cls_head.in_channels = 64
student.cls_head.dropout_ratio = 0.0
student.cls_head.num_classes = 4
model = dict(
    student=student,
    semi_train_cfg=dict(
        threshold=0.0,
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=0,
                          rampup=0)))

clip = dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1)
weak_aug = [
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0)),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
]
labeled_pipeline = [
    dict(type='DecordInit'), clip,
    dict(type='DecordDecode'), *weak_aug,
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
unlabeled_pipeline = [
    dict(type='DecordInit'), clip,
    dict(type='DecordDecode'),
    dict(
        type='MultiView',
        shared=weak_aug,
        views=dict(
            weak=[
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')
            ],
            strong=[
                dict(type='VideoRandAugment', num_ops=2, magnitude=10),
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')
            ]))
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
num_workers = 0
train_dataloader = dict(
    batch_size=2,
    num_workers=num_workers,
    dataset=dict(
        num_classes=4,
        dataset=dict(
            ann_file=_base_.data_root + '/splits/labeled.txt',
            pipeline=labeled_pipeline)))
unlabeled_dataloader = dict(
    batch_size=4,
    num_workers=num_workers,
    dataset=dict(
        num_classes=4,
        dataset=dict(
            ann_file=_base_.data_root + '/splits/unlabeled.txt',
            pipeline=unlabeled_pipeline)))
val_dataloader = dict(
    batch_size=4, dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
max_iters = 6
train_cfg = dict(
    unlabeled_dataloader=unlabeled_dataloader,
    max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-5,
         by_epoch=False, begin=0, end=max_iters)
]
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=3, max_keep_ckpts=-1))
log_processor = dict(window_size=1)
