# ST-GCN on 3-D joints, as in MMAction2's recipe
# `mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py`
# (which defines the model inline, so it is restated here rather than
# inherited: inheriting the recipe would also import its data loaders and
# runtime, which clash with mmssar's bases). NTU layout; configs for other
# skeletons replace `graph_cfg.layout` and `num_classes`.
model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial')),
    cls_head=dict(type='GCNHead', num_classes=60, in_channels=256))
