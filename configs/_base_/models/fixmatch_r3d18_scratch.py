# FixMatch around a 3D-ResNet18 trained from scratch, with LTG's FixMatch
# settings (lambert-x/video-semisup main configs): confidence threshold 0.3
# (the image default 0.95 masks almost everything for a video network
# trained from scratch), hard pseudo-labels from the weak view through the
# student, lambda_u = 1. Each config sets `num_classes` and the
# supervised-only warm-up (`semi_train_cfg.unsup_weight.warmup`, iterations).
_base_ = './r3d18_scratch.py'

model = dict(
    _delete_=True,
    type='FixMatchRecognizer',
    student=_base_.model,
    # the EMA teacher is only evaluated (semi_test_cfg.predict_on='both')
    teacher=dict(type='TeacherEMA', momentum=0.001),
    semi_train_cfg=dict(
        threshold=0.3,
        pseudo_label_source='student',
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=0)),
    semi_test_cfg=dict(predict_on='both'))
