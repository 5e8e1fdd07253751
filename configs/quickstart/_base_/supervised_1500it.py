# The supervised rows of the quickstart (labeled-only, fully supervised):
# the CPU schedule of ../../_base_/schedules/cpu_adamw_1500it.py with AdamW
# 1e-3, validation every 500 iterations, the best checkpoint kept. The leaf
# adds a model base and a data base (train_dataloader: the labeled split).
_base_ = [
    '../../_base_/schedules/cpu_adamw_1500it.py',
    '../../_base_/default_runtime.py'
]

train_cfg = dict(type='IterBasedTrainLoop', max_iters=_base_.max_iters,
                 val_interval=_base_.val_interval)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=500, save_best='acc/top1',
                    max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
