# Mean Teacher around MMAction2's X3D-M (`mmaction::_base_/models/x3d.py`:
# width 1, bottleneck 2.25, depth 2.2), trained from scratch, with the
# settings of the official ImageNet run (CuriousAI/mean-teacher): KL
# consistency with weight 10, sigmoid ramp-up, EMA decay 0.9997. Each config
# sets `num_classes` and the ramp-up length.
_base_ = 'mmaction::_base_/models/x3d.py'

model = dict(
    _delete_=True,
    type='MeanTeacherRecognizer',
    student=_base_.model,
    teacher=dict(type='TeacherEMA', momentum=0.0003),
    semi_train_cfg=dict(
        loss=dict(type='ConsistencyLoss', kind='kl'),
        unsup_weight=dict(
            type='RampUpWeight', weight=10.0, rampup=0, shape='sigmoid')),
    semi_test_cfg=dict(predict_on='both'))
