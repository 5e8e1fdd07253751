# PKU-MMD phase 1 cross-subject, 51 actions, Kinect v2 (NTU joint order); the
# pickle is described in configs/scdnet/README.md (data preparation).
_base_ = ['./ntu60_xsub.py']

num_classes = 51
ann_file = f'{_base_.data_root}/pku1_3d.pkl'
subset_prefix = f'{_base_.data_root}/splits/pku1_xsub'
train_split = 'xsub_train'
val_split = 'xsub_val'

pretrain_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
linear_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
labeled_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
bank_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
val_dataloader = dict(dataset=dict(ann_file=ann_file, split=val_split))
test_dataloader = val_dataloader
