# LTG, 3D-ResNet18 from scratch, Kinetics-400 with 10 % labels: the FixMatch
# baseline's data and schedule (8 GPUs x 8 + 8 clips, 90 epochs = 337k
# iterations, 15 warm-up epochs) with LTG's model, TG pipelines and
# PreciseBN every 5 epochs (18,750 iterations).
_base_ = [
    '../fixmatch/fixmatch_r3d18_8xb8-mu1-8x8x1-337k_kinetics400-10pc.py',
    '../_base_/ltg_8x8x1.py'
]

student = _base_.model.student
student.backbone.out_indices = (0, 1, 2, 3)
model = dict(
    _delete_=True,
    **_base_.ltg_model,
    student=student,
    semi_train_cfg=dict(
        **_base_.ltg_semi_train_cfg,
        unsup_weight=dict(type='RampUpWeight', warmup=_base_.warmup_iters)))
train_dataloader = dict(
    dataset=dict(dataset=dict(pipeline=_base_.ltg_labeled_pipeline)))
train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(dataset=dict(pipeline=_base_.ltg_unlabeled_pipeline))))
custom_hooks = [
    dict(
        **_base_.ltg_precise_bn,
        interval=18750,
        dataloader=dict(
            batch_size=8,
            num_workers=8,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(
                type='VideoDataset',
                ann_file=_base_.ann_file_train,
                data_prefix=dict(video=_base_.data_root),
                pipeline=_base_.val_pipeline)))
]
default_hooks = dict(checkpoint=dict(save_best='acc/top1'))
