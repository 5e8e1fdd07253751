# Fine-tuning of the whole pre-trained network (CMD's semi-supervised /
# transfer scripts, from which SCD-Net's code descends): SGD lr 0.01
# (momentum 0.9, weight decay 1e-4), batch 64, 80 epochs, lr x0.1 at 50 and
# 70. Used with every training label (full fine-tuning, transfer) and with
# 1 % / 10 % labeled subsets (semi-supervised protocols).
_base_ = ['../../../_base_/default_runtime.py']

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=80, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[50, 70], gamma=0.1, by_epoch=True)
]
default_hooks = dict(
    checkpoint=dict(interval=10, save_best='acc/top1', max_keep_ckpts=1))
auto_scale_lr = dict(enable=False, base_batch_size=64)
