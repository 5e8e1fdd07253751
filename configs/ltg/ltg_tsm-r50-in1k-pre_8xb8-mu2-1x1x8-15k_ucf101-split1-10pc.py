# LTG with a 2D student: TSM-R50 (ImageNet-pretrained) RGB and TG networks,
# UCF101 split 1, 10 % labels, on the data and schedule of the FixMatch
# TSM config. Not in the LTG paper (3D-ResNet18 only): a variant showing that
# the method applies to any MMAction2 recognizer. TG frames follow TSM's
# 8 x 1 sampling (TG of each sampled frame and the next raw frame).
_base_ = [
    '../fixmatch/'
    'fixmatch_tsm-r50-in1k-pre_8xb8-mu2-1x1x8-15k_ucf101-split1-10pc.py',
    '../_base_/ltg_8x8x1.py'
]

model = dict(
    _base_.ltg_model,
    projection_head=dict(type='ProjectionHead', in_channels=2048))

decode = [
    dict(type='DecordInit'),
    dict(type='SampleFramesWithNext', clip_len=1, frame_interval=1,
         num_clips=8),
    dict(type='DecordDecode'),
    dict(type='TemporalGradient', mode='uint8')
]
pack = [
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]
rgb, tg = [dict(type='PickModality', modality=m) for m in ('rgb', 'tg')]
strong = dict(type='VideoRandAugment', preset='ltg_imgaug')
train_dataloader = dict(
    dataset=dict(
        dataset=dict(pipeline=[
            *decode, *_base_.weak_aug,
            dict(type='MultiView',
                 views=dict(rgb=[rgb, *pack], tg=[tg, *pack]))
        ])))
train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(
            dataset=dict(pipeline=[
                *decode, *_base_.weak_aug,
                dict(
                    type='MultiView',
                    views=dict(
                        weak=[rgb, *pack],
                        weak_tg=[tg, *pack],
                        strong=[rgb, strong, *pack],
                        strong_tg=[tg, strong, *pack]))
            ]))))
del decode, pack, rgb, tg, strong
default_hooks = dict(checkpoint=dict(save_best='acc/top1'))
custom_hooks = []  # no EMA teacher, no PreciseBN in the TSM recipe
