# The synthetic motion set of `make demo` (tools/data/synthetic/generate.py)
# with 20 labels per class (tools/data/make_split.py --per-class 20).
# Override the location with the environment variable MMSSAR_SYNTH_ROOT.
data_root = '{{$MMSSAR_SYNTH_ROOT:data/synthetic_motion}}'
num_classes = 10
ann_file_train = f'{data_root}/train.txt'
ann_file_labeled = f'{data_root}/splits/train_20shot_labeled.txt'
ann_file_unlabeled = f'{data_root}/splits/train_20shot_unlabeled.txt'
ann_file_val = f'{data_root}/val.txt'
# what tools/train.py prints when the files above are missing
data_preparation = ('python tools/data/prepare_quickstart.py synthetic '
                    f'--root {data_root}')
video_prefix = dict(video=data_root)

# 8 frames, one per eighth of the clip: every clip shows its whole motion
# (clips have 16 to 32 frames)
clip = dict(type='UniformSample', clip_len=8)
# Classes are defined by motion direction: no flips anywhere.
weak_aug = [
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0)),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
]
labeled_pipeline = [
    dict(type='DecordInit'), clip,
    dict(type='DecordDecode'), *weak_aug,
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
# one decode; the strong view is the weak clip plus clip-consistent
# RandAugment
unlabeled_pipeline = [
    dict(type='DecordInit'), clip,
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
                dict(type='VideoRandAugment', num_ops=2, magnitude=10),
                dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')
            ]))
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=8, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

labeled_batch_size = 8
mu = 2  # unlabeled batch = mu x labeled batch

train_dataloader = dict(
    batch_size=labeled_batch_size,
    num_workers=0,
    sampler=dict(type='SemiSampler', shuffle=True),
    dataset=dict(
        type='SemiDataset',
        role='labeled',
        num_classes=num_classes,
        dataset=dict(
            type='VideoDataset',
            ann_file=ann_file_labeled,
            data_prefix=video_prefix,
            pipeline=labeled_pipeline)))
unlabeled_dataloader = dict(
    batch_size=labeled_batch_size * mu,
    num_workers=0,
    sampler=dict(type='SemiSampler', shuffle=True),
    dataset=dict(
        type='SemiDataset',
        role='unlabeled',
        num_classes=num_classes,
        dataset=dict(
            type='VideoDataset',
            ann_file=ann_file_unlabeled,
            data_prefix=video_prefix,
            pipeline=unlabeled_pipeline)))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VideoDataset',
        ann_file=ann_file_val,
        data_prefix=video_prefix,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
