# LTG on the synthetic motion set (20 labels per class), 2 CPU cores: an RGB
# and a temporal-gradient tiny 3D CNN, mu 2. Threshold 0.8 as the quickstart
# FixMatch it is compared with (the paper's 0.3 is for 51-400 classes; on 10
# classes a 0.3-confident pseudo-label is barely better than chance).
_base_ = [
    '../_base_/models/tiny_slowonly.py',
    '../_base_/datasets/synthetic_motion_20shot.py',
    '../_base_/schedules/cpu_adamw_1500it.py',
    '../_base_/default_runtime.py'
]

student = _base_.model
student.cls_head.num_classes = _base_.num_classes
model = dict(
    _delete_=True,
    type='LTGRecognizer',
    student=student,
    projection_head=dict(
        type='ProjectionHead', in_channels=128, hidden_channels=128,
        out_channels=128),
    semi_train_cfg=dict(
        threshold=0.8,
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=100,
                          rampup=200),
        align_stages=(0, 1, 2, 3),
        contrast_loss=dict(type='InfoNCELoss', temperature=0.5)),
    semi_test_cfg=dict(predict_on='student'))

clip = dict(type='UniformSampleWithNext', clip_len=8)
decode = [dict(type='DecordInit'), clip, dict(type='DecordDecode'),
          dict(type='TemporalGradient', mode='uint8')]
weak_aug = _base_.weak_aug


def view(modality, strong=False):
    return [dict(type='PickModality', modality=modality)] + (
        [dict(type='VideoRandAugment', num_ops=2, magnitude=10)]
        if strong else []) + [
            dict(type='FormatShape', input_format='NCTHW'),
            dict(type='PackActionInputs')
        ]


labeled_pipeline = [
    *decode, *weak_aug,
    dict(type='MultiView', views=dict(rgb=view('rgb'), tg=view('tg')))
]
unlabeled_pipeline = [
    *decode, *weak_aug,
    dict(
        type='MultiView',
        views=dict(
            weak=view('rgb'),
            weak_tg=view('tg'),
            strong=view('rgb', True),
            strong_tg=view('tg', True)))
]
del view
train_dataloader = dict(
    dataset=dict(dataset=dict(pipeline=labeled_pipeline)))
unlabeled_dataloader = _base_.unlabeled_dataloader
unlabeled_dataloader.dataset.dataset.pipeline = unlabeled_pipeline

train_cfg = dict(
    type='SemiIterBasedTrainLoop',
    unlabeled_dataloader=unlabeled_dataloader,
    max_iters=_base_.max_iters,
    val_interval=_base_.val_interval)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=500, save_best='acc/top1',
                    max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
