# Optimiser of MMAction2's TimeSformer recipe
# (`mmaction::recognition/timesformer/timesformer_divST_8xb8-8x32x1-15e_kinetics400-rgb.py`:
# SGD with nesterov momentum, lr 0.005 at 64 clips, weight decay 1e-4 but
# none on the class token and the position / time embeddings, gradient
# clipping at 40). The learning-rate schedule is set by each config.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4, nesterov=True),
    paramwise_cfg=dict(
        custom_keys={
            '.backbone.cls_token': dict(decay_mult=0.0),
            '.backbone.pos_embed': dict(decay_mult=0.0),
            '.backbone.time_embed': dict(decay_mult=0.0)
        }),
    clip_grad=dict(max_norm=40, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=64)
