# NW-UCLA cross-view (train: views 1+2, test: view 3), 10 labels per class.
# Prepare (see docs/data_preparation.md):
#   python tools/data/skeleton/nwucla_to_pose.py ../shared/data/skeleton/nw_ucla data/skeleton/nwucla_3d.pkl
#   python tools/data/make_split.py data/skeleton/nwucla_3d.pkl --split xview_train \
#       --per-class 10 --seed 0 --out data/skeleton/nwucla_xview_10pc
data_root = '{{$MMSSAR_SKELETON_ROOT:data/skeleton}}'
num_classes = 10
ann_file = f'{data_root}/nwucla_3d.pkl'
ann_file_labeled = f'{data_root}/nwucla_xview_10pc_labeled.pkl'
ann_file_unlabeled = f'{data_root}/nwucla_xview_10pc_unlabeled.pkl'
train_split = 'xview_train'  # every labeled training clip (fully supervised)
# what tools/train.py prints when the files above are missing
data_preparation = ('python tools/data/prepare_quickstart.py nwucla '
                    '--src ../shared/data/skeleton/nw_ucla '
                    f'--root {data_root}')
clip_len = 32

# NW-UCLA joints 0-19 mean the same as NTU joints 0-19, so the NTU axes
# (spine 0->1, shoulders 8->4) apply. MMAction2's PreNormalize3D would centre
# a non-25-joint skeleton on its last joint (the right foot); the 2s-AGCN
# normalisation centres on the spine.
normalize = dict(type='SCDPreNormalize', center_joint=1)
decode = [
    normalize,
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
]
weak_aug = [dict(type='RandomRotation', max_angle=10., p=1.)]
pack = [
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]
labeled_pipeline = [*decode, *weak_aug, *pack]
unlabeled_pipeline = [
    *decode,
    dict(
        type='MultiView',
        shared=weak_aug,
        views=dict(
            weak=pack,
            strong=[
                dict(type='RandomShear', amplitude=0.5),
                dict(type='RandomRotation', max_angle=30., p=1.),
                dict(type='JointMask', ratio=0.2, p=0.5),
                dict(type='GaussianNoise', std=0.01, p=0.5), *pack
            ]))
]
val_pipeline = [
    normalize,
    dict(type='UniformSampleFrames', clip_len=clip_len, test_mode=True),
    dict(type='PoseDecode'), *pack
]

labeled_batch_size = 16
mu = 2
train_dataloader = dict(
    batch_size=labeled_batch_size,
    num_workers=0,
    sampler=dict(type='SemiSampler', shuffle=True),
    dataset=dict(
        type='SemiDataset',
        role='labeled',
        num_classes=num_classes,
        dataset=dict(
            type='PoseDataset',
            ann_file=ann_file_labeled,
            split='labeled',
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
            type='PoseDataset',
            ann_file=ann_file_unlabeled,
            split='unlabeled',
            pipeline=unlabeled_pipeline)))
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PoseDataset',
        ann_file=ann_file,
        split='xview_val',
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
