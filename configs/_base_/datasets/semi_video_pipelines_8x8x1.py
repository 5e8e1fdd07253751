# Pipelines of 3D CNNs on 8x8x1 clips (8 frames, stride 8) at 224 px for
# semi-supervised training: LTG's setting (Xiao et al., CVPR 2022), which is
# also MMAction2's recipe
# `mmaction::recognition/r2plus1d/r2plus1d_r34_8xb8-8x8x1-180e_kinetics400-rgb.py`.
#
# Labeled and weak views: short side 256, RandomResizedCrop, 224 x 224,
# horizontal flip. The unlabeled clip is decoded and weakly augmented once;
# the strong view adds clip-consistent RandAugment on top of the weak clip
# (same frames, crop and flip), as in LTG. Test: 10 clips x 3 crops.
sample_train = dict(type='SampleFrames', clip_len=8, frame_interval=8,
                    num_clips=1)
weak_aug = [
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
]
strong_aug = [dict(type='VideoRandAugment', num_ops=2, magnitude=9)]
pack = [
    dict(type='FormatShape', input_format='NCTHW'),
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
    dict(type='SampleFrames', clip_len=8, frame_interval=8, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224), *pack
]
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=8, num_clips=10,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256), *pack
]
