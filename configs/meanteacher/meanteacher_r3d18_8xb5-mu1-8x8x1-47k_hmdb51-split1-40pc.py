# Mean Teacher, 3D-ResNet18 from scratch, HMDB51 split 1 with 40 % labels of
# the pool (data, schedule and optimiser of the FixMatch config it inherits).
# Mean Teacher settings of the official ImageNet run (CuriousAI/mean-teacher,
# pytorch/experiments/imagenet_valid.py): KL consistency with weight 10,
# sigmoid ramp-up, EMA decay 0.9997. The ramp-up lasts as long as the FixMatch
# config's warm-up (`warmup_iters`).
_base_ = '../fixmatch/fixmatch_r3d18_8xb5-mu1-8x8x1-47k_hmdb51-split1-40pc.py'

model = dict(
    type='MeanTeacherRecognizer',
    teacher=dict(momentum=0.0003),
    semi_train_cfg=dict(
        _delete_=True,
        loss=dict(type='ConsistencyLoss', kind='kl'),
        unsup_weight=dict(
            type='RampUpWeight',
            weight=10.0,
            rampup=_base_.warmup_iters,
            shape='sigmoid')))
