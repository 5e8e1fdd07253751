# The semi-supervised rows of the quickstart: the schedule of
# ./supervised_1500it.py in the semi-supervised loop, the EMA teacher hook
# (../../_base_/semi_runtime.py), and the FixMatch and Mean Teacher settings
# as variables. A leaf wraps its model base's recognizer:
#   model = dict(_delete_=True, type='FixMatchRecognizer',
#                student=_base_.model, **_base_.fixmatch)
#   train_cfg = dict(unlabeled_dataloader=_base_.unlabeled_dataloader)
_base_ = [
    '../../_base_/schedules/cpu_adamw_1500it.py',
    '../../_base_/semi_runtime.py'
]

fixmatch = dict(
    teacher=dict(type='TeacherEMA', momentum=0.01),
    semi_train_cfg=dict(
        threshold=0.8,
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=100,
                          rampup=200)),
    semi_test_cfg=dict(predict_on='both'))
# Mean Teacher replaces FixMatch's semi_train_cfg by this one
meanteacher_train_cfg = dict(
    loss=dict(type='ConsistencyLoss', kind='mse'),
    unsup_weight=dict(type='RampUpWeight', weight=10.0, warmup=100,
                      rampup=400, shape='sigmoid'))

train_cfg = dict(type='SemiIterBasedTrainLoop', max_iters=_base_.max_iters,
                 val_interval=_base_.val_interval)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(checkpoint=dict(interval=500))
