# LTG, 3D-ResNet18 from scratch, Kinetics-400 with 1 % labels (6 per class):
# 45 epochs = 169k iterations, 10 warm-up epochs (37.5k iterations), and, as
# in the official 1 % config, no contrastive term.
_base_ = './ltg_r3d18_8xb8-mu1-8x8x1-337k_kinetics400-10pc.py'

max_iters = 169000
warmup_iters = 37500
model = dict(
    projection_head=None,
    semi_train_cfg=dict(unsup_weight=dict(warmup=warmup_iters)))
train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            ann_file='data/kinetics400/splits/'
            'kinetics400_train_1pc_labeled.txt')))
train_cfg = dict(max_iters=max_iters)
param_scheduler = [
    dict(_base_.ltg_warmup, end=warmup_iters),
    dict(_base_.ltg_cosine, T_max=max_iters, end=max_iters)
]
