# A small ST-GCN (about 0.5 M parameters) for the 20-joint Kinect v1 layout
# of NW-UCLA; trains on 2 CPU cores in minutes.
# `_base_` keeps this file a plain (non-lazy) config despite the import.
_base_ = []

from mmssar.models.utils.graphs import KINECT_V1_LAYOUT

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='STGCN',
        in_channels=3,
        base_channels=32,
        num_person=1,
        num_stages=6,
        inflate_stages=[3, 5],
        down_stages=[3, 5],
        graph_cfg=dict(layout=KINECT_V1_LAYOUT, mode='stgcn_spatial')),
    cls_head=dict(type='GCNHead', num_classes=10, in_channels=128))
del KINECT_V1_LAYOUT
