# Mean Teacher, TSM-R50 (ImageNet-pretrained), Kinetics-400 with 1 % labels
# (6 per class): 45 epochs over the pool = 84k iterations (LTG's
# Kinetics-400 1 % length).
_base_ = './meanteacher_tsm-r50-in1k-pre_8xb8-mu2-1x1x8-169k_kinetics400-10pc.py'

ann_file_labeled = 'data/kinetics400/splits/kinetics400_train_1pc_labeled.txt'
max_iters = 84000
warmup_iters = 8400

model = dict(semi_train_cfg=dict(unsup_weight=dict(rampup=warmup_iters)))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file_labeled)))
train_cfg = dict(max_iters=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters,
         eta_min=0, by_epoch=False, begin=warmup_iters, end=max_iters)
]
