# FixMatch, TSM-R50 started from MMAction2's Kinetics-400 checkpoint (not
# only ImageNet), UCF101 split 1 with 10 % labels. Everything else is the
# ImageNet-pretrained recipe of configs/fixmatch.
# Student and teacher both start from the checkpoint: PretrainedRecognizerHook
# loads it into the student (strictly, the 400-class head dropped) and the
# teacher is copied from the student (README.md in this folder).
_base_ = [
    '../fixmatch/fixmatch_tsm-r50-in1k-pre_8xb8-mu2-1x1x8-15k_ucf101-split1-10pc.py',
    '../_base_/models/zoo_checkpoints.py'
]

# no ImageNet download (pretrained2d=False: ResNetTSM would load
# `pretrained` as a 2-D model): every weight comes from the checkpoint
model = dict(
    student=dict(backbone=dict(pretrained=None, pretrained2d=False)))
custom_hooks = [
    dict(type='EMATeacherHook'),
    dict(type='PretrainedRecognizerHook', checkpoint=_base_.tsm_r50_k400),
]
