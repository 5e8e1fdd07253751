# NTU RGB+D 60 cross-subject for SCD-Net (official data settings,
# cong-wu/SCD-Net feeders): 2s-AGCN pre-normalisation, 64 frames, 2 persons.
#
# Data: MMAction2's `ntu60_3d.pkl` (splits xsub_train / xsub_val /
# xview_train / xview_val). Labeled subsets for the semi-supervised
# protocols (see configs/scdnet/README.md), e.g.
#   python tools/data/make_split.py data/skeleton/ntu60_3d.pkl \
#       --preset ntu60-xsub-1pct-balanced --seed 0 \
#       --out data/skeleton/splits/ntu60_xsub_1pc_balanced
#   python tools/data/make_split.py data/skeleton/ntu60_3d.pkl \
#       --preset ntu60-xsub-1pct-random --seed 3 \
#       --out data/skeleton/splits/ntu60_xsub_1pc_random_seed3
# A subset pickle keeps the split name, so it is read with `train_split`.
#
# Variables used by the protocol leaves: `pretrain_dataloader` (two views,
# labels unused), `linear_dataloader` (every training clip, centre crop:
# the official linear probe), `labeled_dataloader` (every training clip,
# random crop: fine-tuning; semi-supervised leaves swap in a subset),
# `bank_dataloader` (kNN feature bank), `val_dataloader`, `test_dataloader`,
# `encoder_overrides` (what the encoder must know about the data) and
# `subset_prefix` (labeled subset files: f'{subset_prefix}_1pc_balanced').
data_root = '{{$MMSSAR_SKELETON_ROOT:data/skeleton}}'
num_classes = 60
num_person = 2
in_channels = 3
clip_len = 64
ann_file = f'{data_root}/ntu60_3d.pkl'
subset_prefix = f'{data_root}/splits/ntu60_xsub'
train_split = 'xsub_train'
val_split = 'xsub_val'
# official graph for the encoder and the structural mask; NTU flip order
layout = 'nturgb+d_agcn'
flip_layout = 'nturgb+d'
num_masked_joints = 8

normalize = [dict(type='SCDPreNormalize')]
pack = [
    dict(type='FormatGCNInput', num_person=num_person),
    dict(type='PackActionInputs')
]
pretrain_view = [
    dict(type='SCDTemporalCropResize', clip_len=clip_len),
    dict(type='SCDRandomRotate'),
    dict(type='SCDJointSwapFlip', layout=flip_layout),
    dict(type='SCDRandomShear'),
    dict(type='SCDStructuralJointMask',
         layout=layout,
         num_masked=num_masked_joints),
    dict(type='SCDTemporalBlockMask'), *pack
]
pretrain_pipeline = [
    *normalize,
    dict(type='MultiView', views=dict(query=pretrain_view, key=pretrain_view))
]
# fine-tuning: random crop-resize only (mmssar's choice; the official repo
# has no fine-tuning code)
finetune_pipeline = [
    *normalize,
    dict(type='SCDTemporalCropResize',
         clip_len=clip_len,
         ratio_range=(0.5, 1.0)), *pack
]
test_pipeline = [
    *normalize,
    dict(type='SCDTemporalCropResize', clip_len=clip_len, test_mode=True),
    *pack
]


def _loader(ann, split, pipeline, batch_size, shuffle=True, **kw):
    return dict(batch_size=batch_size,
                num_workers=8,
                persistent_workers=True,
                sampler=dict(type='DefaultSampler', shuffle=shuffle),
                dataset=dict(type='PoseDataset',
                             ann_file=ann,
                             split=split,
                             pipeline=pipeline,
                             **kw))


pretrain_dataloader = _loader(ann_file, train_split, pretrain_pipeline, 64)
linear_dataloader = _loader(ann_file, train_split, test_pipeline, 1024)
labeled_dataloader = _loader(ann_file, train_split, finetune_pipeline, 64)
bank_dataloader = _loader(ann_file,
                          train_split,
                          test_pipeline,
                          256,
                          shuffle=False,
                          test_mode=True)
val_dataloader = _loader(ann_file,
                         val_split,
                         test_pipeline,
                         256,
                         shuffle=False,
                         test_mode=True)
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
del _loader

encoder_overrides = dict(graph_cfg=dict(layout=layout, mode='spatial'),
                         in_channels=in_channels,
                         num_person=num_person,
                         num_frames=clip_len)
