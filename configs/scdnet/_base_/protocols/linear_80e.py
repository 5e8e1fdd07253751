# Linear evaluation (official action_classification.py + README): frozen
# encoder in eval mode (the leaf sets `frozen=True`), a linear classifier
# trained with SGD lr 2 (momentum 0.9, no weight decay), batch 1024, 80
# epochs, lr x0.1 at 50 and 70, test accuracy after every epoch. The paper
# reports the best epoch; the `best_acc_top1` checkpoint keeps it, the last
# epoch's accuracy is the selection-free number.
_base_ = ['../../../_base_/default_runtime.py']

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=80, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=2.0, momentum=0.9, weight_decay=0.0))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[50, 70], gamma=0.1, by_epoch=True)
]
default_hooks = dict(
    checkpoint=dict(interval=10, save_best='acc/top1', max_keep_ckpts=1))
auto_scale_lr = dict(enable=False, base_batch_size=1024)
