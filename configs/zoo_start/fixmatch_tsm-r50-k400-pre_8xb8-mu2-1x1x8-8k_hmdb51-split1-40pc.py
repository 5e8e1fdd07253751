# FixMatch, TSM-R50 started from MMAction2's Kinetics-400 checkpoint, HMDB51
# split 1 with 40 % labels (the recipe of configs/fixmatch otherwise).
_base_ = [
    '../fixmatch/fixmatch_tsm-r50-in1k-pre_8xb8-mu2-1x1x8-8k_hmdb51-split1-40pc.py',
    '../_base_/models/zoo_checkpoints.py'
]

model = dict(
    student=dict(backbone=dict(pretrained=None, pretrained2d=False)))
custom_hooks = [
    dict(type='EMATeacherHook'),
    dict(type='PretrainedRecognizerHook', checkpoint=_base_.tsm_r50_k400),
]
