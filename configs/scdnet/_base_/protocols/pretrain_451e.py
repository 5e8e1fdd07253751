# SCD-Net pre-training as in the official README command (the recipe of the
# released log): batch 64 on one GPU, SGD lr 0.01 (momentum 0.9, weight
# decay 1e-4), 451 epochs with lr x0.1 at epoch 351, queues of 8192 keys,
# temperature 0.2, key momentum 0.999. Leaves add the data and
# `model.backbone` and switch validation off.
_base_ = ['../../../_base_/default_runtime.py']

model = dict(type='SCDNetPretrainer',
             proj_dim=128,
             queue_size=8192,
             temperature=0.2,
             momentum=0.999)
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=451)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[351], gamma=0.1, by_epoch=True)
]
default_hooks = dict(
    checkpoint=dict(interval=50, max_keep_ckpts=2, save_last=True))
# lr 0.01 belongs to batch 64: `--auto-scale-lr` rescales it
auto_scale_lr = dict(enable=False, base_batch_size=64)
