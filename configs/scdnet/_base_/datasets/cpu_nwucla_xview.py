# NW-UCLA cross-view (train: views 1+2, test: view 3) for CPU-sized SCD-Net
# runs: 32 frames per clip, one person, 20 Kinect v1 joints.
#
# Prepare (see docs/data_preparation.md and configs/scdnet/README.md):
#   python tools/data/skeleton/nwucla_to_pose.py ../shared/data/skeleton/nw_ucla data/skeleton/nwucla_3d.pkl
#   python tools/data/make_split.py data/skeleton/nwucla_3d.pkl --split xview_train \
#       --per-class 10 --seed 0 --out data/skeleton/nwucla_xview_10pc
#
# Variables consumed by the protocol leaves: `pretrain_dataloader` (two
# views per clip, labels unused), `labeled_dataloader` (the 10-per-class
# subset, fine-tuning augmentation), `linear_dataloader` (the same subset,
# deterministic centre crop as the official linear probe), `full_dataloader`
# (every training clip), `bank_dataloader` (every training clip, test
# pipeline: the kNN feature bank), `semi_labeled_dataloader` and
# `unlabeled_dataloader` (FixMatch), `val_dataloader` / `test_dataloader`.
data_root = '{{$MMSSAR_SKELETON_ROOT:data/skeleton}}'
num_classes = 10
num_person = 1
in_channels = 3
clip_len = 32
layout = 'kinect_v1'
ann_file = f'{data_root}/nwucla_3d.pkl'
ann_file_labeled = f'{data_root}/nwucla_xview_10pc_labeled.pkl'
ann_file_unlabeled = f'{data_root}/nwucla_xview_10pc_unlabeled.pkl'
train_split = 'xview_train'
val_split = 'xview_val'

# 2s-AGCN / SCD-Net normalisation; Kinect v1 joints 0, 1, 4, 8 mean the
# same as in NTU (hip, spine, left / right shoulder).
normalize = [
    dict(type='SCDPreNormalize', center_joint=1, zaxis=(0, 1), xaxis=(8, 4))
]
pack = [
    dict(type='FormatGCNInput', num_person=num_person),
    dict(type='PackActionInputs')
]
# NW-UCLA clips are short (median 31 frames), so the official 64-frame
# minimum crop becomes 16 frames; masks keep the official proportions
# (8 of 25 joints -> 6 of 20, 6 of 16 blocks -> 3 of 8).
random_crop = dict(type='SCDTemporalCropResize',
                   clip_len=clip_len,
                   ratio_range=(0.5, 1.0),
                   min_crop_len=16)
pretrain_view = [
    random_crop,
    dict(type='SCDRandomRotate'),
    dict(type='SCDJointSwapFlip', layout=layout),
    dict(type='SCDRandomShear'),
    dict(type='SCDStructuralJointMask', layout=layout, num_masked=6),
    dict(type='SCDTemporalBlockMask', block_len=4, num_masked_blocks=3),
    *pack,
]
pretrain_pipeline = [
    *normalize,
    dict(type='MultiView', views=dict(query=pretrain_view, key=pretrain_view))
]
finetune_pipeline = [
    *normalize, random_crop,
    dict(type='SCDRandomRotate'),
    dict(type='SCDJointSwapFlip', layout=layout), *pack
]
test_pipeline = [
    *normalize,
    dict(type='SCDTemporalCropResize', clip_len=clip_len, test_mode=True),
    *pack
]
# FixMatch: weak = fine-tuning augmentation, strong adds shear and masks.
unlabeled_pipeline = [
    *normalize, random_crop,
    dict(type='SCDRandomRotate'),
    dict(type='MultiView',
         views=dict(weak=pack,
                    strong=[
                        dict(type='SCDRandomShear', prob=1.0, magnitude=0.5),
                        dict(type='SCDStructuralJointMask',
                             layout=layout,
                             num_masked=6),
                        dict(type='SCDTemporalBlockMask',
                             block_len=4,
                             num_masked_blocks=3), *pack
                    ]))
]


def _loader(ann, split, pipeline, batch_size=16, shuffle=True, **kw):
    return dict(batch_size=batch_size,
                num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=shuffle),
                dataset=dict(type='PoseDataset',
                             ann_file=ann,
                             split=split,
                             pipeline=pipeline,
                             **kw))


pretrain_dataloader = _loader(ann_file, train_split, pretrain_pipeline, 32)
labeled_dataloader = _loader(ann_file_labeled, 'labeled', finetune_pipeline)
linear_dataloader = _loader(ann_file_labeled, 'labeled', test_pipeline)
full_dataloader = _loader(ann_file, train_split, finetune_pipeline)
bank_dataloader = _loader(ann_file,
                          train_split,
                          test_pipeline,
                          64,
                          shuffle=False,
                          test_mode=True)
# FixMatch: both sets wrapped in SemiDataset (what SemiIterBasedTrainLoop
# checks), mu = 2 unlabeled clips per labeled clip.
semi_labeled_dataloader = dict(labeled_dataloader,
                               sampler=dict(type='SemiSampler', shuffle=True),
                               dataset=dict(
                                   type='SemiDataset',
                                   role='labeled',
                                   num_classes=num_classes,
                                   dataset=labeled_dataloader['dataset']))
unlabeled_dataloader = dict(labeled_dataloader,
                            batch_size=32,
                            sampler=dict(type='SemiSampler', shuffle=True),
                            dataset=dict(type='SemiDataset',
                                         role='unlabeled',
                                         num_classes=num_classes,
                                         dataset=dict(
                                             type='PoseDataset',
                                             ann_file=ann_file_unlabeled,
                                             split='unlabeled',
                                             pipeline=unlabeled_pipeline)))
val_dataloader = _loader(ann_file,
                         val_split,
                         test_pipeline,
                         64,
                         shuffle=False,
                         test_mode=True)
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
del _loader

# what the encoder must know about this data (see ../models/scdnet_cpu.py)
encoder_overrides = dict(graph_cfg=dict(layout=layout, mode='spatial'),
                         in_channels=in_channels,
                         num_person=num_person,
                         num_frames=clip_len)
