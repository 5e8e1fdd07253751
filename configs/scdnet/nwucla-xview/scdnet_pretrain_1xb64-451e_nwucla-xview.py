# SCD-Net pre-training (official model and recipe) on NW-UCLA cross-view.
_base_ = [
    '../_base_/datasets/nwucla_xview.py', '../_base_/models/scdnet_ntu.py',
    '../_base_/protocols/pretrain_451e.py'
]

model = dict(backbone={**_base_.encoder, **_base_.encoder_overrides})
train_dataloader = _base_.pretrain_dataloader
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
