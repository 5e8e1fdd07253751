# FixMatch around MMAction2's SlowOnly-R50 (`mmaction::_base_/models/
# slowonly_r50.py`, the model of the recipe
# `slowonly_r50_8xb16-8x8x1-256e_kinetics400-rgb.py`), with the settings of
# the FixMatch paper (Sohn et al., 2020): threshold 0.95, hard
# pseudo-labels from the weak view through the student, lambda_u = 1.
# The backbone's own ImageNet download is switched off: these runs start
# from a Kinetics-400 checkpoint (configs/zoo_start). Each config sets
# `num_classes`.
_base_ = 'mmaction::_base_/models/slowonly_r50.py'

student = _base_.model
student.backbone.pretrained = None
model = dict(
    _delete_=True,
    type='FixMatchRecognizer',
    student=student,
    teacher=dict(type='TeacherEMA', momentum=0.001),
    semi_train_cfg=dict(
        threshold=0.95,
        pseudo_label_source='student',
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=0)),
    semi_test_cfg=dict(predict_on='both'))
