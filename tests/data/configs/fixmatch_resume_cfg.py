# The tiny FixMatch run made sensitive to every piece of a resume: dropout
# (model RNG), random augmentation (seeded per sample), 2 loader workers,
# checkpoints every 3 of 12 iterations, and a pause after each iteration
# from the first checkpoint on (tests/helpers on PYTHONPATH) so that a test
# can kill it in between.
_base_ = ['./fixmatch_tiny_cfg.py']

custom_imports = dict(imports=['mmssar', 'sleep_hook'])
custom_hooks = [
    dict(type='EMATeacherHook'),
    dict(type='SleepHook', seconds=0.3, after_iter=3)
]
model = dict(student=dict(cls_head=dict(dropout_ratio=0.5)))
num_workers = 2
train_dataloader = dict(num_workers=num_workers, persistent_workers=True)
unlabeled_dataloader = _base_.unlabeled_dataloader
unlabeled_dataloader.update(num_workers=num_workers, persistent_workers=True)
max_iters = 12
train_cfg = dict(unlabeled_dataloader=unlabeled_dataloader,
                 max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-5,
         by_epoch=False, begin=0, end=max_iters)
]
