# FixMatch, ST-GCN (joints) from scratch, NW-UCLA cross-view with 10 labels
# per class (100 labeled clips; the benchmark protocol of this project).
# One GPU (the labeled set is smaller than one 8-GPU batch): 16 labeled +
# 64 unlabeled clips (mu = 4), 6k iterations (~375 epochs over the 1,020-clip
# pool), lr 0.1 at batch 16 with 300 iterations of linear warm-up (CTR-GCN's
# NW-UCLA setting: lr 0.1, batch 16, 5 warm-up epochs; recalled), 500
# supervised-only iterations.
_base_ = [
    '../_base_/models/fixmatch_stgcn_3d.py',
    '../_base_/datasets/semi_nwucla_xview.py',
    '../_base_/schedules/semi_sgd_stgcn.py',
    '../_base_/semi_runtime.py'
]
from mmssar.models.utils.graphs import KINECT_V1_LAYOUT

max_iters = 6000
warmup_iters = 500
lr_warmup_iters = 300
val_interval = 250

model = dict(
    student=dict(
        backbone=dict(
            graph_cfg=dict(
                _delete_=True,
                layout=KINECT_V1_LAYOUT,
                mode='stgcn_spatial')),
        cls_head=dict(num_classes=_base_.num_classes)),
    semi_train_cfg=dict(unsup_weight=dict(warmup=warmup_iters)))
del KINECT_V1_LAYOUT  # the dict is already copied into `model`

train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=lr_warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - lr_warmup_iters,
         eta_min=0, by_epoch=False, begin=lr_warmup_iters, end=max_iters)
]
default_hooks = dict(checkpoint=dict(interval=val_interval))
auto_scale_lr = dict(base_batch_size=16)
