# A seconds-long LTG run for the tests (data from MMSSAR_SYNTH_ROOT).
_base_ = ['../../../configs/ltg/ltg_tiny-slowonly_1500it_synthetic-20shot.py']

student = _base_.student
student.backbone.base_channels = 8
student.cls_head.in_channels = 64
student.cls_head.num_classes = 4
model = dict(
    student=student,
    projection_head=dict(in_channels=64, hidden_channels=16,
                         out_channels=16))

weak_aug = [
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0)),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
]
clip = dict(type='SampleFramesWithNext', clip_len=4, frame_interval=2,
            num_clips=1)
decode = [dict(type='DecordInit'), clip, dict(type='DecordDecode'),
          dict(type='TemporalGradient', mode='uint8')]
labeled_pipeline = [*decode, *weak_aug, _base_.labeled_pipeline[-1]]
unlabeled_pipeline = [*decode, *weak_aug, _base_.unlabeled_pipeline[-1]]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    batch_size=2,
    dataset=dict(
        num_classes=4,
        dataset=dict(
            ann_file=_base_.data_root + '/splits/labeled.txt',
            pipeline=labeled_pipeline)))
unlabeled_dataloader = _base_.unlabeled_dataloader
unlabeled_dataloader.batch_size = 2
unlabeled_dataloader.dataset.num_classes = 4
unlabeled_dataloader.dataset.dataset.ann_file = \
    _base_.data_root + '/splits/unlabeled.txt'
unlabeled_dataloader.dataset.dataset.pipeline = unlabeled_pipeline
val_dataloader = dict(batch_size=4, dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(
    unlabeled_dataloader=unlabeled_dataloader, max_iters=3, val_interval=3)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=3, by_epoch=False, begin=0, end=3)
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=3))
custom_hooks = [dict(type='PreciseBNHook', num_iters=2, interval=3,
                     by_epoch=False)]
