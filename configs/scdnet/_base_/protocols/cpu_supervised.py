# Supervised training on CPU (labeled-only / fully supervised baselines and
# SCD-Net fine-tuning share it): AdamW 1e-3, 50-iteration warm-up, cosine
# decay, one validation at the end (final model, no test-set selection).
_base_ = ['../../../_base_/default_runtime.py']

max_iters = 600
train_cfg = dict(type='IterBasedTrainLoop',
                 max_iters=max_iters,
                 val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
                     clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
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
