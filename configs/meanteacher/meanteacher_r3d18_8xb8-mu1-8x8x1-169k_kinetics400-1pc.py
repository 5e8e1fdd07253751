# Mean Teacher, 3D-ResNet18 from scratch, Kinetics-400 with 1 % labels (6 per
# class): LTG's shorter schedule, 45 epochs over the pool = 169k iterations
# with 10 epochs (37.5k iterations) of lr warm-up and consistency ramp-up.
_base_ = './meanteacher_r3d18_8xb8-mu1-8x8x1-337k_kinetics400-10pc.py'

ann_file_labeled = 'data/kinetics400/splits/kinetics400_train_1pc_labeled.txt'
max_iters = 169000
warmup_iters = 37500

model = dict(semi_train_cfg=dict(unsup_weight=dict(rampup=warmup_iters)))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file_labeled)))
train_cfg = dict(max_iters=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters,
         eta_min=0, by_epoch=False, begin=warmup_iters, end=max_iters)
]
