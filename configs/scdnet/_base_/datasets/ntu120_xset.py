# NTU RGB+D 120 cross-setup (even setup ids train); see ./ntu60_xsub.py.
_base_ = ['./ntu60_xsub.py']

num_classes = 120
ann_file = f'{_base_.data_root}/ntu120_3d.pkl'
subset_prefix = f'{_base_.data_root}/splits/ntu120_xset'
train_split = 'xset_train'
val_split = 'xset_val'

pretrain_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
linear_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
labeled_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
bank_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
val_dataloader = dict(dataset=dict(ann_file=ann_file, split=val_split))
test_dataloader = val_dataloader
