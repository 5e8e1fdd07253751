# JHMDB ground-truth 2-D joints, official split 1 (433 training / 176 test
# clips, 14 classes, 15 joints, one person) for CPU-sized runs; the loaders
# of ./cpu_nwucla_xview.py with 2-D pipelines.
#
# Prepare (see docs/data_preparation.md and configs/scdnet/README.md):
#   python tools/data/skeleton/jhmdb_to_pose.py ../shared/data/skeleton/jhmdb_gt_pose data/skeleton/jhmdb_gt_2d.pkl
#   python tools/data/make_split.py data/skeleton/jhmdb_gt_2d.pkl --split train1 \
#       --per-class 10 --seed 0 --out data/skeleton/jhmdb_split1_10pc
#
# The coordinates are already centred and scaled (no pre-normalisation), and
# FormatGCNInput appends the all-one joint score as a third channel (masked
# joints get score 0, which tells the network what is missing).
_base_ = ['./cpu_nwucla_xview.py']

num_classes = 14
in_channels = 3
layout = 'jhmdb'
data_root = _base_.data_root
ann_file = f'{data_root}/jhmdb_gt_2d.pkl'
ann_file_labeled = f'{data_root}/jhmdb_split1_10pc_labeled.pkl'
ann_file_unlabeled = f'{data_root}/jhmdb_split1_10pc_unlabeled.pkl'
train_split = 'train1'
val_split = 'test1'

pack = _base_.pack
random_crop = _base_.random_crop
masks = [
    dict(type='SCDStructuralJointMask', layout=layout, num_masked=5),
    dict(type='SCDTemporalBlockMask', block_len=4, num_masked_blocks=3),
]
# no 3-D rotation for 2-D joints; JHMDB pairs right / left joints
flip = dict(type='SCDJointSwapFlip', layout=layout)
pretrain_view = [random_crop, flip, dict(type='SCDRandomShear'), *masks, *pack]
pretrain_pipeline = [
    dict(type='MultiView', views=dict(query=pretrain_view, key=pretrain_view))
]
finetune_pipeline = [random_crop, flip, *pack]
test_pipeline = [
    dict(type='SCDTemporalCropResize',
         clip_len=_base_.clip_len,
         test_mode=True), *pack
]
unlabeled_pipeline = [
    random_crop, flip,
    dict(type='MultiView',
         views=dict(weak=pack,
                    strong=[
                        dict(type='SCDRandomShear', prob=1.0, magnitude=0.5),
                        *masks, *pack
                    ]))
]

pretrain_dataloader = dict(dataset=dict(
    ann_file=ann_file, split=train_split, pipeline=pretrain_pipeline))
labeled_dataloader = dict(
    dataset=dict(ann_file=ann_file_labeled, pipeline=finetune_pipeline))
linear_dataloader = dict(
    dataset=dict(ann_file=ann_file_labeled, pipeline=test_pipeline))
full_dataloader = dict(dataset=dict(
    ann_file=ann_file, split=train_split, pipeline=finetune_pipeline))
bank_dataloader = dict(
    dataset=dict(ann_file=ann_file, split=train_split, pipeline=test_pipeline))
semi_labeled_dataloader = dict(dataset=dict(
    num_classes=num_classes,
    dataset=dict(ann_file=ann_file_labeled, pipeline=finetune_pipeline)))
unlabeled_dataloader = dict(dataset=dict(
    num_classes=num_classes,
    dataset=dict(ann_file=ann_file_unlabeled, pipeline=unlabeled_pipeline)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file, split=val_split, pipeline=test_pipeline))
test_dataloader = val_dataloader
encoder_overrides = dict(graph_cfg=dict(layout=layout, mode='spatial'),
                         in_channels=in_channels)
