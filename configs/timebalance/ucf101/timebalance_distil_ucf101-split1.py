# TimeBalance stage 3 on UCF101 split 1: the student (SlowOnly-R50, the
# chain initialises it from the `all` pre-training) learns CE on labeled
# clips + 50 x MSE to the score-weighted teacher mixture on labeled clips +
# 100 x MSE on unlabeled clips (the training list minus the labeled list).
# 8 GPUs x (2 labeled + 2 unlabeled) clips (official 16 + 16), Adam 1e-4,
# warm-up + cosine over max_iters = 150 official "epochs" of the labeled set
# (ceil(labeled / 16) iterations each); the chain sets the lists, the
# teacher checkpoints, the score file and max_iters.
_base_ = [
    '../_base_/slowonly_r50_scratch.py', '../_base_/timebalance_pipelines.py',
    '../../_base_/datasets/semi_ucf101_split1.py', '../../_base_/default_runtime.py'
]

student = _base_.model
student.cls_head.num_classes = _base_.num_classes
model = dict(
    _delete_=True,
    type='TimeBalanceRecognizer',
    student=student,
    teachers=dict(
        inv=dict(type='FrozenTeacher', checkpoint=None),
        dist=dict(type='FrozenTeacher', checkpoint=None)),
    semi_train_cfg=dict(labeled_distill_weight=50.0, unsup_weight=100.0,
                        distill='mse'),
    semi_test_cfg=dict(predict_on='student'))
max_iters = 13500
train_dataloader = dict(
    batch_size=2,
    dataset=dict(dataset=dict(pipeline=_base_.distil_labeled_pipeline)))
unlabeled_dataloader = _base_.train_cfg.unlabeled_dataloader
unlabeled_dataloader.batch_size = 2
unlabeled_dataloader.dataset.dataset.ann_file = \
    _base_.ann_file_labeled.replace('_labeled.txt', '_unlabeled.txt')
unlabeled_dataloader.dataset.dataset.pipeline = \
    _base_.distil_unlabeled_pipeline
train_cfg = dict(
    _delete_=True,
    type='SemiIterBasedTrainLoop',
    unlabeled_dataloader=unlabeled_dataloader,
    unlabeled_includes_labeled=False,
    max_iters=max_iters,
    val_interval=1000)
val_dataloader = dict(
    batch_size=1,
    dataset=dict(pipeline=_base_.val_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(type='AmpOptimWrapper',
                     optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=500),
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-6,
         by_epoch=False, begin=0, end=max_iters)
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=1000,
                                     max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(enable=False, base_batch_size=16)
