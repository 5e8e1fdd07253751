"""Skeleton graph layouts that MMAction2 does not ship (defined in
:mod:`mmssar.utils.skeleton_graphs`, re-exported here).

MMAction2's :class:`mmaction.models.utils.Graph` accepts, besides the names
``'openpose'``, ``'nturgb+d'`` and ``'coco'``, a dict layout with the keys
``num_node``, ``inward`` (edges ``(child, parent)``, pointing towards
``center``) and ``center``. The layouts below are such dicts, so no patching
of MMAction2 is needed; a config passes one as
``graph_cfg=dict(layout=<dict>, mode='stgcn_spatial')``::

    _base_ = ['../_base_/default_runtime.py']
    from mmssar.models.utils.graphs import KINECT_V1_LAYOUT

    model = dict(
        type='RecognizerGCN',
        backbone=dict(
            type='STGCN',
            graph_cfg=dict(layout=KINECT_V1_LAYOUT, mode='stgcn_spatial')),
        cls_head=dict(type='GCNHead', num_classes=10, in_channels=256))
    del KINECT_V1_LAYOUT  # keep the dumped config free of helper names

The dict is copied into the config, so dumped configs stay self-contained.
This needs a classic config, i.e. one with ``_base_`` (use ``_base_ = []``
if there is nothing to inherit): mmengine reads a config *without*
``_base_`` that imports a non-builtin module as a new-style lazy config, in
which the import stays a lazy reference and is dumped as a string.
"""
from mmssar.utils.skeleton_graphs import (GRAPH_LAYOUTS, JHMDB_LAYOUT,
                                          KINECT_V1_LAYOUT, get_graph_layout)

__all__ = [
    'GRAPH_LAYOUTS', 'JHMDB_LAYOUT', 'KINECT_V1_LAYOUT', 'get_graph_layout'
]
