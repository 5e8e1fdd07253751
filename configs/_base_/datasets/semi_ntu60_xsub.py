# NTU RGB+D 60, cross-subject, 3-D joints, for semi-supervised training.
#
# Data: MMAction2's preprocessed `ntu60_3d.pkl` (PoseDataset pickle with the
# splits xsub_train / xsub_val / xview_train / xview_val; see MMAction2's
# tools/data/skeleton). Labeled subsets from mmssar's make_split.py, e.g.
#   python tools/data/make_split.py data/skeleton/ntu60_3d.pkl \
#       --preset ntu60-xsub-10pct-balanced --seed 0 \
#       --out data/skeleton/splits/ntu60_xsub_10pc_balanced
# The labeled pickle keeps the split name (`xsub_train`), so the labeled
# dataset reads it with the same `split` as the full pickle.
#
# Unlabeled pool: the whole xsub_train split, labeled clips included
# (`unlabeled_includes_labeled=True`); for the disjoint protocol point the
# unlabeled loader at `..._unlabeled.pkl` and set it to False.
#
# Pipelines follow MMAction2's ST-GCN recipe (PreNormalize3D, joints, 100
# uniformly sampled frames, 2 persons). The unlabeled clip is normalised and
# sampled once; the strong view adds skeleton augmentations
# (mmssar/datasets/transforms/skeleton_augment.py) to the weak clip.
dataset_type = 'PoseDataset'
num_classes = 60
data_preparation = (
    'pickle: MMAction2 tools/data/skeleton (ntu60_3d.pkl); labeled split: '
    'python tools/data/make_split.py data/skeleton/ntu60_3d.pkl --preset '
    'ntu60-<xsub|xview>-<P>pct-balanced --seed 0 --out '
    'data/skeleton/splits/ntu60_<xsub|xview>_<P>pc_balanced')
ann_file = 'data/skeleton/ntu60_3d.pkl'
split_dir = 'data/skeleton/splits'
ann_file_labeled = f'{split_dir}/ntu60_xsub_10pc_balanced_labeled.pkl'
train_split = 'xsub_train'
val_split = 'xsub_val'
clip_len = 100
num_person = 2

normalize = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
]
pack = [
    dict(type='FormatGCNInput', num_person=num_person),
    dict(type='PackActionInputs')
]
# shear amplitude 0.5 as SkeletonCLR / AimCLR; the other magnitudes are the
# module defaults (mmssar's choice)
strong_aug = [
    dict(type='RandomShear', amplitude=0.5, p=1.0),
    dict(type='RandomRotation', max_angle=30., p=0.5),
    dict(type='TemporalCropResize', ratio_range=(0.5, 1.0), p=0.5),
    dict(type='JointMask', ratio=0.2, p=0.5),
    dict(type='GaussianNoise', std=0.01, p=0.5),
]
labeled_pipeline = [
    *normalize,
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'), *pack
]
unlabeled_pipeline = [
    dict(
        type='MultiView',
        shared=[
            *normalize,
            dict(type='UniformSampleFrames', clip_len=clip_len),
            dict(type='PoseDecode')
        ],
        views=dict(weak=pack, strong=[*strong_aug, *pack]))
]
val_pipeline = [
    *normalize,
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1,
         test_mode=True),
    dict(type='PoseDecode'), *pack
]
test_pipeline = [
    *normalize,
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10,
         test_mode=True),
    dict(type='PoseDecode'), *pack
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='SemiSampler', shuffle=True),
    dataset=dict(
        type='SemiDataset',
        role='labeled',
        num_classes=num_classes,
        dataset=dict(
            type=dataset_type,
            ann_file=ann_file_labeled,
            split=train_split,
            pipeline=labeled_pipeline)))
train_cfg = dict(
    type='SemiIterBasedTrainLoop',
    unlabeled_includes_labeled=True,
    unlabeled_dataloader=dict(
        batch_size=64,
        num_workers=4,
        persistent_workers=True,
        sampler=dict(type='SemiSampler', shuffle=True),
        dataset=dict(
            type='SemiDataset',
            role='unlabeled',
            num_classes=num_classes,
            dataset=dict(
                type=dataset_type,
                ann_file=ann_file,
                split=train_split,
                pipeline=unlabeled_pipeline))))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split=val_split,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split=val_split,
        pipeline=test_pipeline,
        test_mode=True))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
