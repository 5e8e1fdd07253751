# SeFAR on the rendered NW-UCLA set, 10 labels per class: the tiny SeFAR
# config (configs/sefar) on real motion.
_base_ = [
    '../sefar/sefar_tiny-slowonly_1500it_synthetic-20shot.py',
    './_base_/nwucla_xview_data.py'
]

data_preparation = _base_.prepare_cmd
num_classes = _base_.rendered_num_classes
model = dict(student=dict(cls_head=dict(num_classes=num_classes)))
train_dataloader = _base_.rendered_labeled
train_cfg = dict(unlabeled_dataloader=_base_.rendered_unlabeled)
val_dataloader = _base_.rendered_val
test_dataloader = val_dataloader
