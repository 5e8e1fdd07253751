# TimeBalance stage 3 on the synthetic set: the student (initialised by the
# chain from the `all` pre-training) learns from CE on the 20-per-class
# labeled clips and from the score-weighted mixture of the two frozen,
# fine-tuned teachers on labeled and unlabeled clips (the training list
# minus the labeled ones). The chain fills in the teacher checkpoints
# (`model.teachers.{inv,dist}.checkpoint`) and the score file (`pipeline.0
# .score_file` of both loaders).
_base_ = [
    '../../_base_/models/tiny_slowonly.py',
    '../../_base_/datasets/synthetic_motion_20shot.py',
    '../../_base_/default_runtime.py'
]

# the FixMatch control's budget of student iterations
max_iters = 1500
score_file = '{{$MMSSAR_SYNTH_ROOT:data/synthetic_motion}}/temporal_similarity.json'  # noqa: E501
student = _base_.model
student.cls_head.num_classes = _base_.num_classes
model = dict(
    _delete_=True,
    type='TimeBalanceRecognizer',
    student=student,
    teachers=dict(
        inv=dict(type='FrozenTeacher', checkpoint=None),
        dist=dict(type='FrozenTeacher', checkpoint=None)),
    semi_train_cfg=dict(
        sup_weight=1.0, labeled_distill_weight=50.0, unsup_weight=100.0,
        distill='mse'),
    semi_test_cfg=dict(predict_on='student'))

load_score = dict(
    type='LoadTemporalSimilarity',
    score_file=score_file,
    ann_files=[_base_.ann_file_labeled, _base_.ann_file_unlabeled])
meta_keys = ('img_shape', 'img_key', 'video_id', 'timestamp',
             'temporal_similarity')
clip_pipeline = [
    dict(type='DecordInit'), _base_.clip,
    dict(type='DecordDecode'), *_base_.weak_aug,
    dict(type='FormatShape', input_format='NCTHW')
]
labeled_pipeline = [
    load_score, *clip_pipeline,
    dict(type='PackActionInputs', meta_keys=meta_keys)
]
# student and teachers see the same clip: one view
unlabeled_pipeline = [
    load_score, *clip_pipeline,
    dict(type='MultiView',
         views=dict(clip=[dict(type='PackActionInputs', meta_keys=meta_keys)]))
]
train_dataloader = dict(
    batch_size=8,
    dataset=dict(dataset=dict(pipeline=labeled_pipeline)))
unlabeled_dataloader = _base_.unlabeled_dataloader
unlabeled_dataloader.batch_size = 8
unlabeled_dataloader.dataset.dataset.pipeline = unlabeled_pipeline

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=30),
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-6,
         by_epoch=False, begin=0, end=max_iters)
]
train_cfg = dict(
    type='SemiIterBasedTrainLoop',
    unlabeled_dataloader=unlabeled_dataloader,
    unlabeled_includes_labeled=False,
    max_iters=max_iters,
    val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
