# Supervised baseline on the rendered NW-UCLA set (real motion, RGB): the
# quickstart's tiny 3D CNN and schedule, trained on the 10 labels per class.
_base_ = [
    '../_base_/models/tiny_slowonly.py',
    '../_base_/datasets/rendered_nwucla_xview_10shot.py',
    '../_base_/schedules/cpu_adamw_1500it.py',
    '../_base_/default_runtime.py'
]

model = dict(cls_head=dict(num_classes=_base_.num_classes))
# infinite sampler: see configs/quickstart/labeled-only_*synthetic*.py
train_dataloader = dict(sampler=dict(type='InfiniteSampler', shuffle=True))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=_base_.max_iters,
                 val_interval=_base_.val_interval)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=500, save_best='acc/top1',
                    max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
