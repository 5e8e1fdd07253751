# Mean Teacher, ST-GCN (joints) from scratch, NW-UCLA cross-view, 10 labels
# per class (data, schedule and optimiser of the FixMatch config it inherits).
# Mean Teacher settings of the official CIFAR-10 run (CuriousAI/mean-teacher,
# pytorch/experiments/cifar10_test.py; 10 classes as NW-UCLA): softmax-MSE
# consistency with weight 100, sigmoid ramp-up, EMA decay 0.97. The ramp-up
# lasts as long as the FixMatch config's warm-up (`warmup_iters`).
_base_ = '../fixmatch/fixmatch_stgcn_1xb16-mu4-u52-6k_nwucla-xview-3d-10perclass.py'

model = dict(
    type='MeanTeacherRecognizer',
    teacher=dict(momentum=0.03),
    semi_train_cfg=dict(
        _delete_=True,
        loss=dict(type='ConsistencyLoss', kind='mse'),
        unsup_weight=dict(
            type='RampUpWeight',
            weight=100.0,
            rampup=_base_.warmup_iters,
            shape='sigmoid')))
