# The tiny ACL+MTL config with MTL's calibration trained on the labeled clips
# (their true labels, a long view in the labeled pipeline) and the unlabeled
# pseudo-labels taken from the classified calibrated teacher feature: the
# long clips correct the targets instead of only being aligned to
# (configs/acl_mtl/README.md, "MTL variants"). Ablations as for the tiny
# config; model.mtl.pseudo_labels=ensemble is the control without the
# calibration module (the teacher averaged over the weak and long views).
_base_ = ['./acl-mtl_tiny-slowonly_1500it_synthetic-20shot.py']

labeled_pipeline = [
    dict(type='DecordInit'), _base_.scales, dict(type='DecordDecode'),
    dict(type='MultiView', shared=_base_.weak_aug, views=dict(
        default=[_base_.clip0, *_base_.pack],
        long=[dict(type='SelectClip', index=1), *_base_.pack]))
]
model = dict(mtl=dict(calib_on='labeled', pseudo_labels='calibrated'))
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=labeled_pipeline)))
