# LTG, 3D-ResNet18 from scratch, Kinetics-400 with 10 % labels: the FixMatch
# baseline's data and schedule (8 GPUs x 8 + 8 clips, 90 epochs = 337k
# iterations, 15 warm-up epochs) with LTG's model, TG pipelines, strong
# augmentation, PreciseBN (5 clips per GPU, as official) and lr schedule.
_base_ = [
    '../fixmatch/fixmatch_r3d18_8xb8-mu1-8x8x1-337k_kinetics400-10pc.py',
    '../_base_/ltg_8x8x1.py'
]

model = _base_.ltg_model
train_dataloader = _base_.ltg_train_dataloader
train_cfg = _base_.ltg_train_cfg
custom_hooks = [_base_.ltg_precise_bn]
default_hooks = _base_.ltg_default_hooks
param_scheduler = [
    dict(_base_.ltg_warmup, end=_base_.warmup_iters),
    dict(_base_.ltg_cosine, T_max=_base_.max_iters, end=_base_.max_iters)
]
