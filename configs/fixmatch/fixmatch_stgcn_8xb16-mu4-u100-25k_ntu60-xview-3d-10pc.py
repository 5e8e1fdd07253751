# FixMatch, ST-GCN (joints) from scratch, NTU-60 cross-view, 10 % labels
# (class-balanced subset, CrosSCLR / AimCLR protocol).
# 8 GPUs x (16 labeled + 64 unlabeled clips, mu = 4); 25k iterations = the
# number of SGD steps of MMAction2's supervised ST-GCN recipe (80 epochs of
# ~40k clips at 128 clips per step), cosine lr without warm-up as there, and
# 2.5k supervised-only iterations before the unlabeled loss is switched on.
_base_ = [
    '../_base_/models/fixmatch_stgcn_3d.py',
    '../_base_/datasets/semi_ntu60_xview.py',
    '../_base_/schedules/semi_sgd_stgcn.py',
    '../_base_/semi_runtime.py'
]

max_iters = 25000
warmup_iters = 2500
val_interval = 1000

model = dict(
    student=dict(cls_head=dict(num_classes=_base_.num_classes)),
    semi_train_cfg=dict(unsup_weight=dict(warmup=warmup_iters)))
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0,
         by_epoch=False, begin=0, end=max_iters)
]
default_hooks = dict(checkpoint=dict(interval=val_interval))
