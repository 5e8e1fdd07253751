# FixMatch on the rendered NW-UCLA set, 10 labels per class: the quickstart's
# FixMatch (configs/quickstart/fixmatch_*synthetic*.py) on real motion.
_base_ = [
    '../_base_/models/tiny_slowonly.py',
    '../_base_/datasets/rendered_nwucla_xview_10shot.py',
    '../_base_/schedules/cpu_adamw_1500it.py', '../_base_/semi_runtime.py'
]

student = _base_.model
student.cls_head.num_classes = _base_.num_classes
model = dict(
    _delete_=True,
    type='FixMatchRecognizer',
    student=student,
    teacher=dict(type='TeacherEMA', momentum=0.01),
    semi_train_cfg=dict(
        threshold=0.8,
        pseudo_label_source='student',
        unsup_weight=dict(type='RampUpWeight', weight=1.0, warmup=100,
                          rampup=200)),
    semi_test_cfg=dict(predict_on='both'))

train_cfg = dict(
    type='SemiIterBasedTrainLoop',
    unlabeled_dataloader=_base_.unlabeled_dataloader,
    max_iters=_base_.max_iters,
    val_interval=_base_.val_interval)
default_hooks = dict(checkpoint=dict(interval=500))
