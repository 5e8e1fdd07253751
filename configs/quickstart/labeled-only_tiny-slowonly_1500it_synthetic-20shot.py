# The supervised baseline of the quickstart: the same model and schedule,
# trained on the 20 labels per class only.
_base_ = [
    '../_base_/models/tiny_slowonly.py',
    '../_base_/datasets/synthetic_motion_20shot.py',
    '../_base_/schedules/cpu_adamw_1500it.py',
    '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=_base_.num_classes))

# An infinite sampler: with a finite one MMEngine's iteration loop pauses
# ~0.6 s every time the 50-clip labeled set is exhausted (every 7 iterations).
train_dataloader = dict(sampler=dict(type='InfiniteSampler', shuffle=True))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=_base_.max_iters,
                 val_interval=_base_.val_interval)

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=500, save_best='acc/top1',
                    max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
