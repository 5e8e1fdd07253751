# Northwestern-UCLA (10 classes, 20 Kinect v1 joints, 1 person), standard
# cross-view protocol: train on views 1 and 2 (1,020 clips), test on view 3
# (464 clips). The loaders of the NTU base are reused; locations, split
# names and pipelines change.
#
# Data: the PoseDataset pickle of
#   python tools/data/skeleton/nwucla_to_pose.py ../shared/data/skeleton/nw_ucla data/skeleton/nwucla_3d.pkl
# and the labeled subset (10 labels per class, the benchmark protocol of
# this project) from
#   python tools/data/make_split.py data/skeleton/nwucla_3d.pkl --split xview_train \
#       --per-class 10 --num-classes 10 --seed 0 --out data/skeleton/splits/nwucla_xview_10perclass
#
# Normalisation: MMAction2's PreNormalize3D centres skeletons that do not
# have 25 joints on their *last* joint (here the right foot), so the
# 2s-AGCN pre-normalisation is used instead: per-frame centring on the spine
# (joint 1), hip->spine to +z, right->left shoulder to +x (the Kinect v1
# joints 0, 1, 4, 8 mean the same as in NTU). 52 frames per clip as in
# CTR-GCN's NW-UCLA setting.
_base_ = './semi_ntu60_xsub.py'

num_classes = 10
data_preparation = (
    'python tools/data/skeleton/nwucla_to_pose.py '
    '../shared/data/skeleton/nw_ucla data/skeleton/nwucla_3d.pkl && python '
    'tools/data/make_split.py data/skeleton/nwucla_3d.pkl --split '
    'xview_train --per-class 10 --num-classes 10 --seed 0 --out '
    'data/skeleton/splits/nwucla_xview_10perclass (or --per-class/--preset '
    'of the config\'s split)')
ann_file = 'data/skeleton/nwucla_3d.pkl'
ann_file_labeled = \
    'data/skeleton/splits/nwucla_xview_10perclass_labeled.pkl'
train_split = 'xview_train'
val_split = 'xview_val'
clip_len = 52
num_person = 1

normalize = [
    dict(type='SCDPreNormalize', center_joint=1, zaxis=(0, 1), xaxis=(8, 4)),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
]
pack = [
    dict(type='FormatGCNInput', num_person=num_person),
    dict(type='PackActionInputs')
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
        views=dict(weak=pack, strong=[*_base_.strong_aug, *pack]))
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
    dataset=dict(
        num_classes=num_classes,
        dataset=dict(
            ann_file=ann_file_labeled,
            split=train_split,
            pipeline=labeled_pipeline)))
train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(
            num_classes=num_classes,
            dataset=dict(
                ann_file=ann_file,
                split=train_split,
                pipeline=unlabeled_pipeline))))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file, split=val_split, pipeline=val_pipeline))
test_dataloader = dict(
    dataset=dict(ann_file=ann_file, split=val_split, pipeline=test_pipeline))
