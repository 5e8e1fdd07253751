# The labeled-only control of the rendered ACL+MTL rows: the same short clips
# (8 frames, every 2nd) in training and validation.
_base_ = [
    '../acl_mtl/labeled-only_tiny-slowonly_1500it_synthetic-20shot-short-clips.py',
    './_base_/nwucla_xview_data.py'
]

data_preparation = _base_.prepare_cmd
num_classes = _base_.rendered_num_classes
model = dict(cls_head=dict(num_classes=num_classes))
train_dataloader = _base_.rendered_labeled
val_dataloader = _base_.rendered_val
test_dataloader = val_dataloader
