# ACL+MTL with the labeled calibration and calibrated pseudo-labels on the
# rendered NW-UCLA set.
_base_ = [
    '../acl_mtl/acl-mtl_tiny-slowonly-calibrated-pl_1500it_synthetic-20shot.py',
    './_base_/nwucla_xview_data.py'
]

data_preparation = _base_.prepare_cmd
num_classes = _base_.rendered_num_classes
model = dict(student=dict(cls_head=dict(num_classes=num_classes)))
train_dataloader = _base_.rendered_labeled
train_cfg = dict(unlabeled_dataloader=_base_.rendered_unlabeled)
val_dataloader = _base_.rendered_val
test_dataloader = val_dataloader
