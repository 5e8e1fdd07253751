# TimeBalance stage 2: fine-tune a pre-trained encoder (the chain's
# `init_from`, backbone weights) on the 20-per-class labeled list with CE.
# Used for both teachers. Also defines the K-clip pipeline of
# tools/data/temporal_similarity.py (`similarity_dataloader`).
_base_ = ['../../quickstart/labeled-only_tiny-slowonly_1500it_synthetic-20shot.py']

max_iters = 300
# Adam as the recipe, lr 1e-3 instead of 1e-4: 300 CPU iterations, not 150
# epochs
optim_wrapper = dict(
    _delete_=True, optimizer=dict(type='Adam', lr=1e-3),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=30),
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-6,
         by_epoch=False, begin=0, end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))

# K = 3 clips of 8 consecutive frames from evenly spaced times
similarity_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=1, num_clips=3,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
similarity_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file=_base_.ann_file_train,
                 data_prefix=_base_.video_prefix,
                 pipeline=similarity_pipeline, test_mode=True))
