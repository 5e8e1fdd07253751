# ACL + MTL, 3D-ResNet18 from scratch, HMDB51 split 1 with 50 % labels: the
# FixMatch config of the same setting plus ACL and MTL
# (configs/acl_mtl/README.md).
_base_ = ['../fixmatch/fixmatch_r3d18_8xb5-mu1-8x8x1-47k_hmdb51-split1-50pc.py',
          './_base_/acl_mtl_r3d18_8x8x1.py']

model = _base_.acl_mtl_model
model.acl.weight.warmup = _base_.warmup_iters
model.mtl.weight.warmup = _base_.warmup_iters
train_dataloader = dict(dataset=dict(dataset=dict(
    pipeline=_base_.acl_mtl_labeled_pipeline)))
train_cfg = dict(unlabeled_dataloader=dict(dataset=dict(
    dataset=dict(pipeline=_base_.acl_mtl_unlabeled_pipeline))))
