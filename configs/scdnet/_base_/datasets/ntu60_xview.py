# NTU RGB+D 60 cross-view (train cameras 2 and 3, test camera 1); the rest
# as in ./ntu60_xsub.py.
_base_ = ['./ntu60_xsub.py']

num_classes = 60
ann_file = f'{_base_.data_root}/ntu60_3d.pkl'
subset_prefix = f'{_base_.data_root}/splits/ntu60_xview'
train_split = 'xview_train'
val_split = 'xview_val'

pretrain_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
linear_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
labeled_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
bank_dataloader = dict(dataset=dict(ann_file=ann_file, split=train_split))
val_dataloader = dict(dataset=dict(ann_file=ann_file, split=val_split))
test_dataloader = val_dataloader
