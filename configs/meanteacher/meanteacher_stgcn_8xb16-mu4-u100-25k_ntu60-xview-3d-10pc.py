# Mean Teacher, ST-GCN (joints) from scratch, NTU-60 cross-view, 10 %
# labels (data, schedule and optimiser of the FixMatch config it inherits).
# Mean Teacher settings of the official ImageNet run (CuriousAI/mean-teacher,
# pytorch/experiments/imagenet_valid.py): KL consistency with weight 10,
# sigmoid ramp-up, EMA decay 0.9997. The ramp-up lasts as long as the
# FixMatch config's warm-up (`warmup_iters`).
_base_ = '../fixmatch/fixmatch_stgcn_8xb16-mu4-u100-25k_ntu60-xview-3d-10pc.py'

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
