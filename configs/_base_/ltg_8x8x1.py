# LTG pipelines for 3D CNNs on 8x8x1 clips at 224 px (Xiao et al., CVPR
# 2022). Frames t and t+1 are decoded in one call; TG = floor((x_t -
# x_{t+1} + 255) / 2) is computed on the raw frames, then one crop / resize
# / flip applies to RGB and TG alike. Strong views add clip-consistent
# RandAugment drawn independently for RGB and TG. Validation and test use
# RGB only (the TG network is a training-time aid).
ltg_sample = dict(type='SampleFramesWithNext', clip_len=8, frame_interval=8,
                  num_clips=1)
ltg_decode = [
    dict(type='DecordInit'), ltg_sample,
    dict(type='DecordDecode'),
    dict(type='TemporalGradient', mode='uint8')
]
ltg_weak_aug = [
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
]
_pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
_strong = [dict(type='VideoRandAugment', num_ops=2, magnitude=9)]
_rgb = [dict(type='PickModality', modality='rgb')]
_tg = [dict(type='PickModality', modality='tg')]
ltg_labeled_pipeline = [
    *ltg_decode, *ltg_weak_aug,
    dict(type='MultiView', views=dict(rgb=[*_rgb, *_pack],
                                      tg=[*_tg, *_pack]))
]
ltg_unlabeled_pipeline = [
    *ltg_decode, *ltg_weak_aug,
    dict(
        type='MultiView',
        views=dict(
            weak=[*_rgb, *_pack],
            weak_tg=[*_tg, *_pack],
            strong=[*_rgb, *_strong, *_pack],
            strong_tg=[*_tg, *_strong, *_pack]))
]

# The LTG model around a given student (the leaf configs add `student` with
# `backbone.out_indices=(0, 1, 2, 3)` and the warm-up length), as in the
# official main configs: threshold 0.3, supervised and unsupervised losses
# weighted 0.5 per modality, dense cosine alignment of all four stages,
# InfoNCE at temperature 0.5, no EMA teacher, RGB network evaluated.
ltg_model = dict(
    type='LTGRecognizer',
    projection_head=dict(type='ProjectionHead', in_channels=512),
    semi_test_cfg=dict(predict_on='student'))
ltg_semi_train_cfg = dict(
    threshold=0.3,
    sup_weights=(0.5, 0.5),
    unsup_weights=(0.5, 0.5),
    align_stages=(0, 1, 2, 3),
    align_loss=dict(type='FeatureAlignmentLoss', loss_type='cosine'),
    contrast_loss=dict(type='InfoNCELoss', temperature=0.5))
# PreciseBN of the RGB network every 5 epochs over 200 batches of the
# training list read with the validation pipeline (leaves add the interval
# in iterations and the dataset)
ltg_precise_bn = dict(
    type='PreciseBNHook', num_iters=200, by_epoch=False, module='student')
