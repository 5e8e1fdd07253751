# FixMatch with a small ST-GCN on real skeletons: NW-UCLA cross-view, 10
# labels per class, 2 CPU cores.
_base_ = [
    '../_base_/models/stgcn_tiny_kinect20.py',
    '../_base_/datasets/nwucla_xview_10shot.py',
    '../_base_/schedules/cpu_adamw_1500it.py', '../_base_/semi_runtime.py'
]

student = _base_.model
model = dict(
    _delete_=True,
    type='FixMatchRecognizer',
    student=student,
    teacher=dict(type='TeacherEMA', momentum=0.01),
    semi_train_cfg=dict(
        threshold=0.8,
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=100,
                          rampup=200)),
    semi_test_cfg=dict(predict_on='both'))

train_cfg = dict(
    type='SemiIterBasedTrainLoop',
    unlabeled_dataloader=_base_.unlabeled_dataloader,
    max_iters=_base_.max_iters,
    val_interval=_base_.val_interval)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(checkpoint=dict(interval=500))
