# FixMatch on CPU: the supervised schedule, the semi-supervised loop and the
# EMA teacher hook of configs/_base_/semi_runtime.py. The leaf wraps its
# supervised model as the student, i.e. model = dict(_delete_=True,
# type='FixMatchRecognizer', student=<model>, **fixmatch), and sets
# train_cfg.unlabeled_dataloader.
_base_ = ['./cpu_supervised.py']

fixmatch = dict(teacher=dict(type='TeacherEMA', momentum=0.01),
                semi_train_cfg=dict(threshold=0.8,
                                    unsup_weight=dict(type='RampUpWeight',
                                                      weight=1.0,
                                                      warmup=100,
                                                      rampup=200)),
                semi_test_cfg=dict(predict_on='both'))
train_cfg = dict(type='SemiIterBasedTrainLoop')
custom_hooks = [dict(type='EMATeacherHook')]
