# ACL + MTL on the synthetic motion set, 20 labels per class, on 2 CPU cores.
# Short clips: 8 frames, every 2nd (half to all of a 16-32 frame motion), in
# every pipeline; the long clip: 8 frames over the whole video. Ablations:
# --cfg-options model.acl=None (MTL only), model.mtl=None (ACL only), both
# (FixMatch with EMA-teacher pseudo-labels on the same clips).
_base_ = ['../quickstart/fixmatch_tiny-slowonly_1500it_synthetic-20shot.py']

short = dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1)
scales = dict(type='MultiScaleSampleFrames', clip_len=8, frame_interval=2,
              long_intervals=('uniform', ))
pack = _base_.labeled_pipeline[-2:]
clip0 = dict(type='SelectClip', index=0)
unlabeled_pipeline = [
    dict(type='DecordInit'), scales, dict(type='DecordDecode'),
    dict(type='MultiView', shared=_base_.weak_aug, views=dict(
        weak=[clip0, *pack],
        strong=[clip0, dict(type='VideoRandAugment', num_ops=2,
                            magnitude=10), *pack],
        long=[dict(type='SelectClip', index=1), *pack]))
]
warmup = dict(type='RampUpWeight', warmup=100, rampup=200)
model = dict(
    type='ACLMTLRecognizer',
    semi_train_cfg=dict(pseudo_label_source='teacher'),
    acl=dict(bank=dict(size=512), weight=dict(weight=0.5, **warmup)),
    mtl=dict(calibration=dict(embed_channels=64),
             weight=dict(weight=1.0, **warmup)),
    semi_test_cfg=dict(predict_on=['student', 'teacher']))

train_dataloader = dict(dataset=dict(dataset=dict(
    pipeline=[_base_.labeled_pipeline[0], short,
              *_base_.labeled_pipeline[2:]])))
train_cfg = dict(unlabeled_dataloader=dict(
    dataset=dict(dataset=dict(pipeline=unlabeled_pipeline))))
val_pipeline = [_base_.val_pipeline[0], dict(short, test_mode=True),
                *_base_.val_pipeline[2:]]
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
