# Mean Teacher, TSM-R50 (ImageNet-pretrained), UCF101 split 1 with 10 %
# labels (data, schedule and optimiser of the FixMatch config it inherits).
# Mean Teacher settings of the official ImageNet run (CuriousAI/mean-teacher,
# pytorch/experiments/imagenet_valid.py): KL consistency with weight 10,
# sigmoid ramp-up, EMA decay 0.9997. The ramp-up lasts as long as the
# FixMatch config's warm-up (`warmup_iters`).
_base_ = '../fixmatch/fixmatch_tsm-r50-in1k-pre_8xb8-mu2-1x1x8-15k_ucf101-split1-10pc.py'

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
