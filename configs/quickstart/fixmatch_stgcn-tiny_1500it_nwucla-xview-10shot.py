# FixMatch with a small ST-GCN on real skeletons: NW-UCLA cross-view, 10
# labels per class, 2 CPU cores.
_base_ = [
    '../_base_/models/stgcn_tiny_kinect20.py',
    '../_base_/datasets/nwucla_xview_10shot.py',
    '../_base_/semi_runtime.py'
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

max_iters = 1500
train_cfg = dict(
    type='SemiIterBasedTrainLoop',
    unlabeled_dataloader=_base_.unlabeled_dataloader,
    max_iters=max_iters,
    val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-5,
         by_epoch=False, begin=0, end=max_iters)
]
default_hooks = dict(checkpoint=dict(interval=500))
randomness = dict(seed=0)
