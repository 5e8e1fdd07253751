"""Skeleton graph layouts that MMAction2 does not ship.

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
import copy
from typing import Dict

# Kinect SDK v1, 20 joints (NW-UCLA, MSR Action3D): 0 hip centre, 1 spine,
# 2 shoulder centre, 3 head, 4-7 left shoulder/elbow/wrist/hand,
# 8-11 right arm, 12-15 left hip/knee/ankle/foot, 16-19 right leg. These
# are NTU RGB+D joints 0-19 with the same meaning; NTU's centre (spine
# shoulder, joint 20) does not exist here, so the shoulder centre takes its
# role, which keeps the partition of ``stgcn_spatial`` comparable.
KINECT_V1_LAYOUT = dict(
    num_node=20,
    inward=[(0, 1), (1, 2), (3, 2), (4, 2), (5, 4), (6, 5), (7, 6), (8, 2),
            (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13),
            (15, 14), (16, 0), (17, 16), (18, 17), (19, 18)],
    center=2)

# JHMDB's 15 annotated joints: 0 neck, 1 belly, 2 face, 3 R shoulder,
# 4 L shoulder, 5 R hip, 6 L hip, 7 R elbow, 8 L elbow, 9 R knee, 10 L knee,
# 11 R wrist, 12 L wrist, 13 R ankle, 14 L ankle. The neck joins head, torso
# and both arms, so it is the centre.
JHMDB_LAYOUT = dict(
    num_node=15,
    inward=[(1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (6, 1), (7, 3), (8, 4),
            (9, 5), (10, 6), (11, 7), (12, 8), (13, 9), (14, 10)],
    center=0)

GRAPH_LAYOUTS: Dict[str, dict] = {
    'kinect_v1': KINECT_V1_LAYOUT,
    'nw-ucla': KINECT_V1_LAYOUT,
    'jhmdb': JHMDB_LAYOUT,
}


def get_graph_layout(name: str) -> dict:
    """Return a fresh copy of a named dict layout.

    Args:
        name (str): One of :data:`GRAPH_LAYOUTS` (``kinect_v1``,
            ``nw-ucla``, ``jhmdb``).

    Returns:
        dict: ``dict(num_node=..., inward=[...], center=...)`` for
        ``Graph(layout=...)``.
    """
    if name not in GRAPH_LAYOUTS:
        raise KeyError(f'unknown graph layout {name!r}; available: '
                       f'{sorted(GRAPH_LAYOUTS)} (MMAction2 itself knows '
                       "'openpose', 'nturgb+d' and 'coco')")
    return copy.deepcopy(GRAPH_LAYOUTS[name])
