# NW-UCLA cross-view (train views 1+2, test view 3) for the full-size
# SCD-Net protocols; one person, 20 Kinect v1 joints, 10 classes. Clips are
# short (median 31 frames), so the 64-frame minimum crop of NTU becomes 16
# frames and the structural mask zeroes 6 of 20 joints (8 of 25 on NTU).
# Data: see ./cpu_nwucla_xview.py; subsets for the semi-supervised
# protocols: make_split.py --split xview_train --ratio 0.01|0.1 ...
_base_ = ['./ntu60_xsub.py']

num_classes = 10
num_person = 1
ann_file = f'{_base_.data_root}/nwucla_3d.pkl'
subset_prefix = f'{_base_.data_root}/splits/nwucla_xview'
train_split = 'xview_train'
val_split = 'xview_val'
layout = 'kinect_v1'
clip_len = _base_.clip_len

pack = [
    dict(type='FormatGCNInput', num_person=num_person),
    dict(type='PackActionInputs')
]
normalize = [
    dict(type='SCDPreNormalize', center_joint=1, zaxis=(0, 1), xaxis=(8, 4))
]
pretrain_view = [
    dict(type='SCDTemporalCropResize', clip_len=clip_len, min_crop_len=16),
    dict(type='SCDRandomRotate'),
    dict(type='SCDJointSwapFlip', layout=layout),
    dict(type='SCDRandomShear'),
    dict(type='SCDStructuralJointMask', layout=layout, num_masked=6),
    dict(type='SCDTemporalBlockMask'), *pack
]
pretrain_pipeline = [
    *normalize,
    dict(type='MultiView', views=dict(query=pretrain_view, key=pretrain_view))
]
finetune_pipeline = [
    *normalize,
    dict(type='SCDTemporalCropResize',
         clip_len=clip_len,
         ratio_range=(0.5, 1.0),
         min_crop_len=16), *pack
]
test_pipeline = [
    *normalize,
    dict(type='SCDTemporalCropResize', clip_len=clip_len, test_mode=True),
    *pack
]


def _dataset(split, pipeline):
    return dict(
        dataset=dict(ann_file=ann_file, split=split, pipeline=pipeline))


pretrain_dataloader = dict(_dataset(train_split, pretrain_pipeline))
linear_dataloader = dict(_dataset(train_split, test_pipeline))
labeled_dataloader = dict(_dataset(train_split, finetune_pipeline))
bank_dataloader = dict(_dataset(train_split, test_pipeline))
val_dataloader = dict(_dataset(val_split, test_pipeline))
test_dataloader = val_dataloader
del _dataset
encoder_overrides = dict(graph_cfg=dict(layout=layout, mode='spatial'),
                         num_person=num_person)
