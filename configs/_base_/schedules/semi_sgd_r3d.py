# Optimiser of LTG's 3D-ResNet18 configs (lambert-x/video-semisup, main
# UCF101 / HMDB51 / Kinetics-400 configs): SGD, lr 0.2 for 8 GPUs,
# momentum 0.9, weight decay 1e-4, gradient clipping at 40. The
# learning-rate schedule (linear warm-up from 0.1x, then cosine to 0) is set
# by each config (it depends on its length).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
# base = labeled clips per iteration (8 GPUs x 5; LTG's Kinetics configs
# use 8 x 8 with the same lr)
auto_scale_lr = dict(enable=False, base_batch_size=40)
