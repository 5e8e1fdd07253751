# FixMatch around MMAction2's TimeSformer (./timesformer_divst.py) with the
# settings of the FixMatch paper (Sohn et al., 2020): threshold 0.95, hard
# pseudo-labels from the weak view through the student, lambda_u = 1.
# Each config sets `num_classes`.
_base_ = './timesformer_divst.py'

model = dict(
    _delete_=True,
    type='FixMatchRecognizer',
    student=_base_.model,
    teacher=dict(type='TeacherEMA', momentum=0.001),
    semi_train_cfg=dict(
        threshold=0.95,
        pseudo_label_source='student',
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=0)),
    semi_test_cfg=dict(predict_on='both'))
