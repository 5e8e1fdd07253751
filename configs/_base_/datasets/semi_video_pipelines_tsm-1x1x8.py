# Pipelines of TSM (8 segments x 1 frame, 224 px) for semi-supervised
# training, from MMAction2's recipe
# `mmaction::recognition/tsm/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb.py`.
#
# Labeled and weak views use the recipe's training augmentation. The
# unlabeled clip is decoded and weakly augmented once; the strong view adds
# clip-consistent RandAugment on top of the weak clip (same frames, crop and
# flip), as in LTG's FixMatch implementation.
sample_train = dict(type='SampleFrames', clip_len=1, frame_interval=1,
                    num_clips=8)
weak_aug = [
    dict(type='Resize', scale=(-1, 256)),
    dict(
        type='MultiScaleCrop',
        input_size=224,
        scales=(1, 0.875, 0.75, 0.66),
        random_crop=False,
        max_wh_scale_gap=1,
        num_fixed_crops=13),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
]
strong_aug = [dict(type='VideoRandAugment', num_ops=2, magnitude=9)]
pack = [
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]

labeled_pipeline = [
    dict(type='DecordInit'), sample_train,
    dict(type='DecordDecode'), *weak_aug, *pack
]
unlabeled_pipeline = [
    dict(type='DecordInit'), sample_train,
    dict(type='DecordDecode'),
    dict(
        type='MultiView',
        shared=weak_aug,
        views=dict(weak=pack, strong=[*strong_aug, *pack]))
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224), *pack
]
# the recipe's test: 8 segments x 10 crops
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='TenCrop', crop_size=224), *pack
]
