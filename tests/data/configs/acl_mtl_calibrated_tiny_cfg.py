# The seconds-long ACL+MTL run with MTL's labeled calibration and calibrated
# pseudo-labels (configs/acl_mtl/acl-mtl_tiny-slowonly-calibrated-pl_*).
_base_ = ['./acl_mtl_tiny_cfg.py']

labeled_pipeline = [
    dict(type='DecordInit'), _base_.scales, dict(type='DecordDecode'),
    dict(type='MultiView', shared=_base_.weak_aug[:1] + _base_.size,
         views=dict(default=[dict(type='SelectClip', index=0), *_base_.pack],
                    long=[dict(type='SelectClip', index=1), *_base_.pack]))
]
model = dict(mtl=dict(calib_on='labeled', pseudo_labels='calibrated'))
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=labeled_pipeline)))
