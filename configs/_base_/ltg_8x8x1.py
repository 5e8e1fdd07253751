# LTG (Xiao et al., CVPR 2022) on top of a FixMatch config of the same data
# and schedule: a leaf lists its FixMatch config and this file as `_base_`
# and assigns the `ltg_*` values below (see configs/ltg/*.py); MMEngine
# cannot parametrise a base, so these are partial dicts that merge into the
# FixMatch config's own.
#
# Pipelines for 3D CNNs on 8x8x1 clips at 224 px. Frames t and t+1 are
# decoded in one call; TG = floor((x_t - x_{t+1} + 255) / 2) is computed on
# the raw frames, then one crop / resize / flip applies to RGB and TG alike.
# Strong views add the clip-consistent imgaug-style RandAugment of the
# official code (`preset='ltg_imgaug'`), drawn independently for RGB and TG.
# Validation and test use RGB only (the TG network is a training-time aid).
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
_strong = [dict(type='VideoRandAugment', preset='ltg_imgaug')]
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

# Partial dicts that merge into the FixMatch config's loaders.
ltg_train_dataloader = dict(
    dataset=dict(dataset=dict(pipeline=ltg_labeled_pipeline)))
ltg_train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(dataset=dict(pipeline=ltg_unlabeled_pipeline))))

# The LTG model, merged into the FixMatch model (whose student, and whose
# `unsup_weight` ramp with the config's warm-up length, it keeps), as in the
# official main configs: threshold 0.3, supervised and unsupervised losses
# weighted 0.5 per modality, dense cosine alignment of all four stages,
# InfoNCE at temperature 0.5, no EMA teacher, the RGB network evaluated with
# the clip scores averaged (`average_clips='score'`).
ltg_model = dict(
    type='LTGRecognizer',
    student=dict(cls_head=dict(average_clips='score')),
    teacher=None,
    projection_head=dict(type='ProjectionHead', in_channels=512),
    semi_train_cfg=dict(
        threshold=0.3,
        pseudo_label_source='student',
        sup_weights=(0.5, 0.5),
        unsup_weights=(0.5, 0.5),
        align_stages=(0, 1, 2, 3),
        align_loss=dict(type='FeatureAlignmentLoss', loss_type='cosine'),
        contrast_loss=dict(type='InfoNCELoss', temperature=0.5)),
    semi_test_cfg=dict(predict_on='student'))

# PreciseBN of the RGB network before every validation, at every checkpoint
# and at the end of training (official: every 5 epochs, right before the
# evaluation), over 200 batches of 5 clips (per GPU) of the whole training
# list (the unlabeled pool) read with the validation pipeline. HMDB51 uses
# 120 batches (`dict(_base_.ltg_precise_bn, num_iters=120)`).
ltg_precise_bn = dict(
    type='PreciseBNHook',
    num_iters=200,
    module='student',
    dataloader=dict(
        batch_size=5,
        num_workers=4,
        sampler=dict(type='DefaultSampler', shuffle=True)),
    dataset_from='train_cfg.unlabeled_dataloader.dataset.dataset',
    pipeline_from='val_dataloader.dataset.pipeline')
ltg_default_hooks = dict(checkpoint=dict(save_best='acc/top1'))

# Learning rate (official mmcv `CosineAnnealing` with a linear warm-up): a
# cosine from the base lr to 0 over the whole run, multiplied during the
# warm-up by a factor rising linearly from 0.1 to 1. MMEngine multiplies the
# factors of schedulers active at the same iteration, so the leaf lists both
# from iteration 0: `dict(ltg_warmup, end=warmup_iters)` and
# `dict(ltg_cosine, T_max=max_iters, end=max_iters)`.
ltg_warmup = dict(type='LinearLR', start_factor=0.1, by_epoch=False,
                  begin=0)
ltg_cosine = dict(type='CosineAnnealingLR', eta_min=0, by_epoch=False,
                  begin=0)

# TG-only pipelines (a network trained or tested on temporal gradients
# alone, e.g. LTG's TG network exported with
# `tools/misc/export_checkpoint.py CKPT OUT --which tg_student`): the TG of the
# sampled frames, then the usual spatial transforms.
_tg_only = dict(type='TemporalGradient', mode='uint8', keep_rgb=False)
tg_train_pipeline = [
    dict(type='DecordInit'), ltg_sample,
    dict(type='DecordDecode'), _tg_only, *ltg_weak_aug, *_pack
]
tg_val_pipeline = [
    dict(type='DecordInit'),
    dict(ltg_sample, test_mode=True),
    dict(type='DecordDecode'), _tg_only,
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224), *_pack
]
tg_test_pipeline = [
    dict(type='DecordInit'),
    dict(ltg_sample, num_clips=10, test_mode=True),
    dict(type='DecordDecode'), _tg_only,
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256), *_pack
]
