# Optimiser for fine-tuning a Kinetics-400 model-zoo checkpoint
# (configs/zoo_start): SGD, momentum 0.9, weight decay 1e-4, gradient
# clipping at 40, lr 0.01 at 8 x 8 = 64 labeled clips per iteration (the
# TSM recipe's fine-tuning scale; not tuned). The learning-rate schedule is
# set by each config.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=64)
