# LTG, 3D-ResNet18 from scratch, UCF101 split 1, 10 % labels: the data and
# schedule of the FixMatch baseline config (8 GPUs x 5 + 5 clips, 43k
# iterations = 180 epochs over the pool, 30 warm-up epochs) with LTG's
# model, TG pipelines, strong augmentation, PreciseBN and lr schedule
# (configs/_base_/ltg_8x8x1.py).
_base_ = [
    '../fixmatch/fixmatch_r3d18_8xb5-mu1-8x8x1-43k_ucf101-split1-10pc.py',
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
