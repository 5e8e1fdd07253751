# ACL and MTL on top of a FixMatch 3D-CNN config with 8x8x1 clips
# (`configs/_base_/datasets/semi_video_pipelines_8x8x1.py`). A leaf inherits
# the FixMatch config of its setting and this file, and sets
#   model = _base_.acl_mtl_model (+ the warm-ups of its schedule) and
#   the labeled and unlabeled pipelines to _base_.acl_mtl_labeled_pipeline
#   and _base_.acl_mtl_unlabeled_pipeline.
# Names are prefixed so that they do not collide with the FixMatch config's.
# Every value marked [ours] is a choice of this implementation (README).

# The short clip is FixMatch's 8x8 clip (64 frames); long clips: 8 frames
# every 16th (128 frames, containing the short clip's centre) and 8 frames
# over the whole video [ours]. One decode for all three.
acl_mtl_scales = dict(type='MultiScaleSampleFrames', clip_len=8,
                      frame_interval=8, long_intervals=(16, 'uniform'))
# the weak augmentation of semi_video_pipelines_8x8x1.py, shared by all clips
acl_mtl_weak_aug = [
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
]
acl_mtl_pack = [dict(type='FormatShape', input_format='NCTHW'),
                dict(type='PackActionInputs')]
# the long clips, cut from the one decode (unlabeled and labeled pipelines)
acl_mtl_long_views = dict(
    long=[dict(type='SelectClip', index=1), *acl_mtl_pack],
    long_video=[dict(type='SelectClip', index=2), *acl_mtl_pack])
acl_mtl_unlabeled_pipeline = [
    dict(type='DecordInit'), acl_mtl_scales, dict(type='DecordDecode'),
    dict(type='MultiView', shared=acl_mtl_weak_aug, views=dict(
        weak=[dict(type='SelectClip', index=0), *acl_mtl_pack],
        strong=[dict(type='SelectClip', index=0),
                dict(type='VideoRandAugment', num_ops=2, magnitude=9),
                *acl_mtl_pack],
        **acl_mtl_long_views))
]

# MTL's calibration is trained on the labeled clips (true labels) and
# corrects the unlabeled pseudo-labels [ours; README "MTL variants": the
# first design, calibration trained on pseudo-labels and only aligned to,
# cost accuracy]: the labeled pipeline cuts the same long clips. The student
# is trained on the short clip (`default`) only.
acl_mtl_labeled_pipeline = [
    dict(type='DecordInit'), acl_mtl_scales, dict(type='DecordDecode'),
    dict(type='MultiView', shared=acl_mtl_weak_aug, views=dict(
        default=[dict(type='SelectClip', index=0), *acl_mtl_pack],
        **acl_mtl_long_views))
]

acl_mtl_model = dict(
    type='ACLMTLRecognizer',
    # the EMA teacher gives the pseudo-labels [paper: EMA-teacher framework]
    semi_train_cfg=dict(pseudo_label_source='teacher'),
    acl=dict(
        prototypes=dict(type='ClassPrototypes', momentum=0.99),
        confidence=dict(type='PrototypeConfidence', measure='cosine'),
        bank=dict(type='FeatureBank', size=4096),
        reliability=dict(type='GMMReliability', interval=10),
        loss=dict(type='ReliableSupConLoss', temperature=0.1,
                  pos_threshold=0.5, neg_threshold=0.0),
        # the leaf sets warmup to its supervised warm-up
        weight=dict(type='RampUpWeight', weight=1.0, warmup=0)),
    mtl=dict(
        long_views=('long', 'long_video'),
        calib_on='labeled',
        pseudo_labels='calibrated',
        tokens='temporal',
        calibration=dict(type='CrossScaleCalibration', embed_channels=256,
                         num_heads=4, gate='channel'),
        weight=dict(type='RampUpWeight', weight=1.0, warmup=0)),
    # the plain student predicts; the teacher is evaluated alongside
    semi_test_cfg=dict(predict_on=['student', 'teacher']))
