# LTG, 3D-ResNet18 from scratch, HMDB51 split 1 with 40 % labels of the
# 5,236-clip pool: the FixMatch baseline's data and schedule (360 epochs =
# 47k iterations, 60 warm-up epochs) with LTG's model, TG pipelines, strong
# augmentation, lr schedule and PreciseBN over 120 batches (as the official
# HMDB51 configs).
_base_ = [
    '../fixmatch/fixmatch_r3d18_8xb5-mu1-8x8x1-47k_hmdb51-split1-40pc.py',
    '../_base_/ltg_8x8x1.py'
]

model = _base_.ltg_model
train_dataloader = _base_.ltg_train_dataloader
train_cfg = _base_.ltg_train_cfg
custom_hooks = [dict(_base_.ltg_precise_bn, num_iters=120)]
default_hooks = _base_.ltg_default_hooks
param_scheduler = [
    dict(_base_.ltg_warmup, end=_base_.warmup_iters),
    dict(_base_.ltg_cosine, T_max=_base_.max_iters, end=_base_.max_iters)
]
