# The clip formats of the three TimeBalance stages (official: dl_ssl.py,
# dl_linear_frameids.py, dl_semisup_2clips.py), as MMAction2 transforms.
# Deviation: MMAction2 augmentations stand in for the official per-clip ones
# (crop factor, flip, colour jitter; no per-channel drop / gamma / erasing).

# ---- stage 1: one span of 64 frames decoded once; the sparse clip (16 at
# stride 4) and 4 dense clips (16 consecutive) cut out of it, each augmented
# twice (10 clips per video)
ssl_clip_aug = [
    dict(type='RandomResizedCrop', area_range=(0.25, 1.0),
         aspect_ratio_range=(1.0, 1.0)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    # hue 0: MMAction2 1.2's hue jitter overflows uint8 under NumPy 2
    dict(type='ColorJitter', brightness=0.25, contrast=0.25, saturation=0.25,
         hue=0),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
ssl_pipeline = [
    dict(type='DecordInit'),
    dict(type='SparseDenseSampleFrames', clip_len=16, stride=4),
    dict(type='DecordDecode'),
    dict(type='SparseDenseViews', pipeline=ssl_clip_aug, num_augs=2)
]

# ---- stages 2-3: 8 frames at stride 2, milder augmentation
clip = dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1)
train_aug = [
    dict(type='RandomResizedCrop', area_range=(0.16, 1.0),
         aspect_ratio_range=(1.0, 1.0)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW')
]
train_pipeline = [
    dict(type='DecordInit'), clip,
    dict(type='DecordDecode'), *train_aug,
    dict(type='PackActionInputs')
]
# test: 10 evenly spaced clips x 1 centre crop of 80 % (softmax averaged)
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=10,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 280)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
# temporal similarity score (ours): K = 4 clips from evenly spaced times
similarity_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=4,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

# ---- stage 3: the score travels in the metainfo; student and teachers see
# the same clip. The chain sets score_file and ann_files (element 0).
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp',
             'temporal_similarity')
load_score = dict(type='LoadTemporalSimilarity', score_file='SET_BY_CHAIN',
                  ann_files=None)
distil_labeled_pipeline = [
    load_score,
    dict(type='DecordInit'), clip,
    dict(type='DecordDecode'), *train_aug,
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
distil_unlabeled_pipeline = [
    load_score,
    dict(type='DecordInit'), clip,
    dict(type='DecordDecode'), *train_aug,
    dict(type='MultiView',
         views=dict(clip=[dict(type='PackActionInputs', meta_keys=meta_keys)]))
]
