# SCD-Net pre-training of the CPU-sized encoder on the NW-UCLA cross-view
# training clips (labels unused).
_base_ = [
    '../_base_/datasets/cpu_nwucla_xview.py', '../_base_/models/scdnet_cpu.py',
    '../_base_/protocols/cpu_pretrain.py'
]

model = dict(backbone={**_base_.encoder, **_base_.encoder_overrides})
train_dataloader = _base_.pretrain_dataloader
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
