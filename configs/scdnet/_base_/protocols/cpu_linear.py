# Linear evaluation on CPU: only the classifier learns (the leaf builds the
# encoder with `frozen=True`, which also keeps it in eval mode, as the
# official linear probe does). One validation at the end: the reported
# number is the final model's, not a best-over-checkpoints test score.
_base_ = ['../../../_base_/default_runtime.py']

max_iters = 300
train_cfg = dict(type='IterBasedTrainLoop',
                 max_iters=max_iters,
                 val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=3e-3, weight_decay=0.0))
param_scheduler = [
    dict(type='CosineAnnealingLR',
         T_max=max_iters,
         eta_min=1e-5,
         by_epoch=False,
         begin=0,
         end=max_iters)
]
default_hooks = dict(logger=dict(interval=20),
                     checkpoint=dict(by_epoch=False,
                                     interval=max_iters,
                                     max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
