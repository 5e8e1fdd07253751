# The small ST-GCN of ./stgcn_tiny_kinect20.py on the 15 JHMDB joints:
# inputs (x, y, score) and 14 classes.
_base_ = ['./stgcn_tiny_kinect20.py']

from mmssar.models.utils.graphs import JHMDB_LAYOUT

model = dict(backbone=dict(in_channels=3,
                           graph_cfg=dict(layout=JHMDB_LAYOUT,
                                          mode='stgcn_spatial')),
             cls_head=dict(num_classes=14))
del JHMDB_LAYOUT
