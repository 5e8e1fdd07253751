# ACL + MTL with a ViT video backbone: TimeSformer (divided space-time
# attention, ViT-B/16 from ImageNet-21k), UCF101 split 1 with 10 % labels —
# the FixMatch TimeSformer config of configs/students plus ACL and MTL
# (configs/acl_mtl/README.md). Every clip (short and long) keeps 8 frames,
# the length of TimeSformer's time embedding; the long clips only span more
# time. A ViT has no (N, C, T, H, W) stage output, so the calibration
# attends over one pooled token per long clip (`mtl.tokens='clip'`) [ours].
# Not trained here (no GPU).
_base_ = [
    '../students/fixmatch_timesformer-divst-in21k-pre_8xb8-mu1-8x8x1-15k_'
    'ucf101-split1-10pc.py', './_base_/acl_mtl_r3d18_8x8x1.py'
]

model = _base_.acl_mtl_model
model.mtl.tokens = 'clip'
# FixMatch's TimeSformer config has no supervised-only warm-up; ACL and
# MTL start after its 10 % lr warm-up
model.acl.weight.warmup = _base_.warmup_iters
model.mtl.weight.warmup = _base_.warmup_iters
train_dataloader = dict(dataset=dict(dataset=dict(
    pipeline=_base_.acl_mtl_labeled_pipeline)))
train_cfg = dict(unlabeled_dataloader=dict(dataset=dict(
    dataset=dict(pipeline=_base_.acl_mtl_unlabeled_pipeline))))
