# SeFAR on the synthetic motion set (20 labels per class), 2 CPU cores.
# Student: the tiny SlowOnly of the quickstart inside ElementGroupBackbone
# (8 frames -> elements (3, 7), (1, 5), (0, 2, 4, 6)) with the SeFAR fusion
# head. The tiny SlowOnly has no temporal stride anywhere (conv1_stride_t=1,
# pool1_stride_t=1, stride-1 temporal kernels of size 3 with padding 1), so
# it accepts the 2-frame fine elements as they are.
# Schedule proportions of the paper (30 epochs, 5 supervised, sine ramp to
# the end): 250 supervised iterations, then a sine ramp over 1,250.
_base_ = '../quickstart/fixmatch_tiny-slowonly_1500it_synthetic-20shot.py'

element_sizes = (2, 2, 4)
student = _base_.student
student.backbone = dict(
    type='ElementGroupBackbone',
    backbone=_base_.student.backbone,
    element_sizes=element_sizes)
student.cls_head = dict(
    type='SeFARFusionHead',
    num_classes=_base_.num_classes,
    in_channels=128,
    num_elements=len(element_sizes),
    fusion_dim=256,
    dropout_ratio=0.5,
    average_clips='prob')
model = dict(
    _delete_=True,
    type='SeFARRecognizer',
    student=student,
    # decay 0.99: the paper's 0.9999 would leave the teacher at the
    # warm-up student for a 1,250-iteration semi-supervised phase
    teacher=dict(type='TeacherEMA', momentum=0.01),
    semi_train_cfg=dict(
        mc_passes=10,
        strong_weight=2.0,
        mix_weight=2.0,
        # 56 x 56 clips: a 7 x 7 token grid
        token_mix=dict(type='TubeTokenMix', alpha=10., patch_size=8),
        unsup_weight=dict(type='SineRampWeight', weight=1.0, warmup=250,
                          rampup=1250, offset=50)),
    semi_test_cfg=dict(predict_on='both'))

sample = dict(type='ElementGroupSample', element_sizes=element_sizes)
weak_aug = _base_.weak_aug
labeled_pipeline = [
    dict(type='DecordInit'), sample,
    dict(type='DecordDecode'), *weak_aug,
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
# one decode; strong = weak with the order inside the fine elements
# reversed (the paper's moderate temporal perturbation)
unlabeled_pipeline = [
    dict(type='DecordInit'), sample,
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
                dict(type='TemporalPerturbation', mode='reverse',
                     scope='fine', element_sizes=element_sizes),
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')
            ]))
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='ElementGroupSample', element_sizes=element_sizes,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    dataset=dict(dataset=dict(pipeline=labeled_pipeline)))
train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(dataset=dict(pipeline=unlabeled_pipeline))))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
