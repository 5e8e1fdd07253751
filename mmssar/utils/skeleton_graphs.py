"""Skeleton graph layouts shared by the data transforms and the models.

MMAction2's :class:`mmaction.models.utils.Graph` accepts, besides the names
``'openpose'``, ``'nturgb+d'`` and ``'coco'``, a dict layout with the keys
``num_node``, ``inward`` (edges ``(child, parent)``, pointing towards
``center``) and ``center``. The layouts below are such dicts. They live
outside ``mmssar.datasets`` and ``mmssar.models`` because both use them
(SCD-Net's structural masking needs the adjacency, the GCN backbones the
graph); ``mmssar.models.utils.graphs`` and
``mmssar.models.backbones.ctrgcn_blocks`` re-export them.
"""
import copy
from typing import Dict, Union

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


# The NTU RGB+D bone list of 2s-AGCN, used by the official SCD-Net graph
# (graph/ntu_rgb_d.py) and its structural masking (feeder/augmentations.py).
# It differs from MMAction2's 'nturgb+d' layout at the hands: here the hand
# tip (22) hangs from the thumb (23) -> hand (8), and 24 -> 25 -> 12, whereas
# MMAction2 links both tip and thumb to the hand directly.
_NTU_AGCN_BONES_1BASED = [(1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5),
                          (7, 6), (8, 7), (9, 21), (10, 9), (11, 10),
                          (12, 11), (13, 1), (14, 13), (15, 14), (16, 15),
                          (17, 1), (18, 17), (19, 18), (20, 19), (22, 23),
                          (23, 8), (24, 25), (25, 12)]

#: Extra named layouts understood by :func:`build_graph` on top of
#: MMAction2's ('openpose', 'nturgb+d', 'coco' and dict layouts).
EXTRA_LAYOUTS = {
    'nturgb+d_agcn':
    dict(
        num_node=25,
        inward=[(i - 1, j - 1) for i, j in _NTU_AGCN_BONES_1BASED],
        center=20),
}


def resolve_layout(layout: Union[str, dict]) -> Union[str, dict]:
    """Map mmssar's layout names to MMAction2 dict layouts.

    Names of :data:`EXTRA_LAYOUTS` and of
    :data:`GRAPH_LAYOUTS` ('nw-ucla', 'kinect_v1',
    'jhmdb', ...) become dicts; anything else is passed to MMAction2.
    """
    if not isinstance(layout, str):
        return layout
    if layout in EXTRA_LAYOUTS:
        return copy.deepcopy(EXTRA_LAYOUTS[layout])
    if layout in GRAPH_LAYOUTS:
        return copy.deepcopy(GRAPH_LAYOUTS[layout])
    return layout


def build_graph(graph_cfg: dict):
    """Build an MMAction2 :class:`Graph`, also accepting ``EXTRA_LAYOUTS``.

    Args:
        graph_cfg (dict): ``dict(layout=..., mode=...)`` as for MMAction2's
            STGCN. ``layout`` may be any MMAction2 layout (name or dict) or a
            name known to :func:`resolve_layout`.
    """
    if not isinstance(graph_cfg, dict) or 'layout' not in graph_cfg:
        raise ValueError(
            f'graph_cfg must be a dict with a "layout" key, got {graph_cfg!r}')
    from mmaction.models.utils import Graph  # heavy: only when needed
    cfg = dict(graph_cfg)
    cfg['layout'] = resolve_layout(cfg['layout'])
    return Graph(**cfg)
