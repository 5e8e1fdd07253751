# Mean Teacher on the synthetic motion set, 20 labels per class.
_base_ = ['./fixmatch_tiny-slowonly_1500it_synthetic-20shot.py']

model = dict(
    type='MeanTeacherRecognizer',
    teacher=dict(type='TeacherEMA', momentum=0.01),
    semi_train_cfg=dict(
        _delete_=True,
        loss=dict(type='ConsistencyLoss', kind='mse'),
        unsup_weight=dict(type='RampUpWeight', weight=10.0, warmup=100,
                          rampup=400, shape='sigmoid')))
