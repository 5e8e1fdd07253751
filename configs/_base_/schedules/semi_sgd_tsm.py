# Optimiser of MMAction2's TSM-R50 recipe
# (`mmaction::recognition/tsm/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb.py`:
# SGD, momentum 0.9, weight decay 1e-4, 5x learning rate on the classifier,
# gradient clipping at 20) with the learning rate scaled linearly from its
# 0.02 at 128 clips to the 8 x 8 = 64 labeled clips per iteration of the
# semi-supervised configs. The learning-rate schedule is set by each config
# (it depends on its length).
optim_wrapper = dict(
    constructor='TSMOptimWrapperConstructor',
    paramwise_cfg=dict(fc_lr5=True),
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=20, norm_type=2))
# base = labeled clips per iteration (8 GPUs x 8)
auto_scale_lr = dict(enable=False, base_batch_size=64)
