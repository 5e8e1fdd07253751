# JHMDB ground-truth 2-D joints, official split 1 (433 training / 176 test
# clips, 14 classes, 15 joints, one person), 10 labels per class: the loaders
# of ./nwucla_xview_10shot.py with 2-D pipelines.
# Prepare (see docs/data_preparation.md):
#   python tools/data/skeleton/jhmdb_to_pose.py ../shared/data/skeleton/jhmdb_gt_pose data/skeleton/jhmdb_gt_2d.pkl
#   python tools/data/make_split.py data/skeleton/jhmdb_gt_2d.pkl --split train1 \
#       --per-class 10 --seed 0 --out data/skeleton/jhmdb_split1_10pc
_base_ = ['./nwucla_xview_10shot.py']

data_root = _base_.data_root
num_classes = 14
ann_file = f'{data_root}/jhmdb_gt_2d.pkl'
ann_file_labeled = f'{data_root}/jhmdb_split1_10pc_labeled.pkl'
ann_file_unlabeled = f'{data_root}/jhmdb_split1_10pc_unlabeled.pkl'
train_split = 'train1'
val_split = 'test1'
clip_len = 32

# The coordinates are centred and scaled in the source (no normalisation);
# the rotations are in-plane. FormatGCNInput appends the joint score as the
# third input channel.
decode = [
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
]
weak_aug = [dict(type='RandomRotation', max_angle=10., p=1.)]
pack = [
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
    dict(type='UniformSampleFrames', clip_len=clip_len, test_mode=True),
    dict(type='PoseDecode'), *pack
]

train_dataloader = dict(dataset=dict(
    num_classes=num_classes,
    dataset=dict(ann_file=ann_file_labeled, pipeline=labeled_pipeline)))
unlabeled_dataloader = dict(dataset=dict(
    num_classes=num_classes,
    dataset=dict(ann_file=ann_file_unlabeled, pipeline=unlabeled_pipeline)))
val_dataloader = dict(dataset=dict(
    ann_file=ann_file, split=val_split, pipeline=val_pipeline))
test_dataloader = val_dataloader
