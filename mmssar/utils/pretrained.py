"""Start a recognizer from a model-zoo checkpoint of another task.

MMAction2 (and PYSKL) checkpoints hold a plain recognizer: ``backbone.*``
and ``cls_head.*``. Starting a semi-supervised run on another data set from
one needs three things MMEngine's non-strict ``load_from`` does silently or
not at all:

* the classifier has another number of classes: its weights are dropped
  (and said so), the new head is trained from its initialisation;
* PYSKL names the GCN head's linear layer ``fc_cls``, MMAction2's
  ``GCNHead`` ``fc``: the names are mapped;
* a skeleton layout with other joints changes the shapes of the joint-wise
  weights (``data_bn``, learned adjacency ``A``/``PA``): they are mapped
  with an explicit ``joint_map`` (target joint -> checkpoint joint), or the
  checkpoint is refused with a message naming the key and both shapes.

Everything else must match exactly: a missing or unexpected key is an
error, so a checkpoint of another architecture never yields a half-loaded
model.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch

from .checkpoint import extract_recognizer_state

#: ``(checkpoint prefix, model prefix)`` pairs naming the same head layer
HEAD_ALIASES = (('cls_head.fc_cls.', 'cls_head.fc.'), )
#: prefix of the classifier, dropped when the class count differs
HEAD_PREFIX = 'cls_head.'


def _rename_head(state: Dict[str, torch.Tensor],
                 target: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    out = dict(state)
    for a, b in HEAD_ALIASES:
        for src, dst in ((a, b), (b, a)):
            if any(k.startswith(src) for k in out) and not any(
                    k.startswith(src) for k in target) and any(
                        k.startswith(dst) for k in target):
                out = {(dst + k[len(src):] if k.startswith(src) else k): v
                       for k, v in out.items()}
    return out


def _is_joint_matrix(key: str, value: torch.Tensor) -> bool:
    """Learned / fixed adjacency of a GCN unit: ``(K, V, V)``."""
    name = key.rsplit('.', 1)[-1]
    return name in ('A', 'PA') and value.dim() == 3 and \
        value.shape[1] == value.shape[2]


def map_joints(state: Dict[str, torch.Tensor],
               joint_map: Sequence[int]) -> Dict[str, torch.Tensor]:
    """Re-index the joint-wise weights of a GCN checkpoint.

    Args:
        state (dict): Plain recognizer state dict (GCN backbone).
        joint_map (Sequence[int]): For every joint of the target layout,
            the index of the same joint in the checkpoint's layout.

    Returns:
        dict: The state with adjacency matrices ``(K, V, V)`` and the
        ``data_bn`` statistics (``V * C`` or ``M * V * C`` channels) of the
        mapped joints.
    """
    index = torch.as_tensor(list(joint_map), dtype=torch.long)
    sizes = {v.shape[1] for k, v in state.items() if _is_joint_matrix(k, v)}
    if len(sizes) != 1:
        raise ValueError('joint_map needs a GCN checkpoint with adjacency '
                         f'matrices of one size; found sizes {sorted(sizes)}')
    num_src = sizes.pop()
    if index.numel() and (index.min() < 0 or index.max() >= num_src):
        raise ValueError(f'joint_map indices must be in [0, {num_src}), '
                         f'got {index.tolist()}')
    channels = _channels_per_joint(state)
    out = {}
    for key, value in state.items():
        if _is_joint_matrix(key, value):
            value = value[:, index][:, :, index]
        elif '.data_bn.' in key and value.dim() == 1:
            # BatchNorm1d over (M, V, C) flattened in that order (M = 1 for
            # MMAction2's default 'VC' data_bn)
            c = channels or value.numel() // num_src
            if value.numel() % (num_src * c):
                raise ValueError(f'{key} has {value.numel()} channels, not '
                                 f'a multiple of {num_src} joints x {c}')
            value = value.reshape(-1, num_src, c)[:, index].reshape(-1)
        out[key] = value
    return out


def _channels_per_joint(state: Dict[str, torch.Tensor]) -> Optional[int]:
    """Input channels C of a GCN backbone: those of its first graph
    convolution (``gcn.0.gcn.conv``), None when there is none."""
    for key, value in state.items():
        if key.endswith('gcn.0.gcn.conv.weight') and value.dim() >= 2:
            return value.shape[1]
    return None


def adapt_pretrained_state(state: Dict[str, torch.Tensor],
                           target: Dict[str, torch.Tensor],
                           source: str = 'the checkpoint',
                           joint_map: Optional[Sequence[int]] = None
                           ) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """Make a plain recognizer checkpoint loadable into ``target``.

    Args:
        state (dict): The checkpoint's state dict: a plain recognizer, or an
            mmssar SSL model (its student is used).
        target (dict): ``state_dict()`` of the recognizer to start.
        source (str): Name of the checkpoint, for messages.
        joint_map (Sequence[int], optional): See :func:`map_joints`.

    Returns:
        tuple: The state dict to load (``strict`` except for the dropped
        head keys) and notes of what was changed.

    Raises:
        ValueError: Keys are missing or unexpected, or a non-head weight has
            another shape (another architecture or skeleton layout).
    """
    notes = []
    if any(k.startswith('student.') for k in state):
        state = extract_recognizer_state(state, 'student')
        notes.append('used the student of an mmssar checkpoint')
    renamed = _rename_head(state, target)
    if renamed.keys() != state.keys():
        notes.append('mapped the head names (cls_head.fc_cls <-> cls_head.fc)')
    state = renamed
    if joint_map is not None:
        state = map_joints(state, joint_map)
        notes.append(f'mapped {len(joint_map)} joints')
    missing = sorted(set(target) - set(state))
    unexpected = sorted(set(state) - set(target))
    if missing or unexpected:
        raise ValueError(
            f'{source} does not fit the model: missing keys '
            f'{missing[:5]}{" ..." if len(missing) > 5 else ""} '
            f'({len(missing)}), unexpected keys {unexpected[:5]}'
            f'{" ..." if len(unexpected) > 5 else ""} ({len(unexpected)}). '
            'It is a checkpoint of another architecture.')
    mismatched = [k for k in state if state[k].shape != target[k].shape]
    body = [k for k in mismatched if not k.startswith(HEAD_PREFIX)]
    if body:
        k = body[0]
        hint = (' The skeleton layouts differ (joint-wise weights); pass '
                'joint_map=[checkpoint joint of each model joint] to map '
                'them.' if '.data_bn.' in k or _is_joint_matrix(k, state[k])
                else '')
        raise ValueError(
            f'{source} does not fit the model: {k} has shape '
            f'{tuple(state[k].shape)} in the checkpoint and '
            f'{tuple(target[k].shape)} in the model ({len(body)} such '
            f'weights).{hint}')
    if mismatched:
        head = {k: v for k, v in state.items() if k.startswith(HEAD_PREFIX)}
        weight = next((k for k in head if k.endswith('weight')), None)
        ckpt_classes = head[weight].shape[0] if weight else '?'
        model_classes = target[weight].shape[0] if weight else '?'
        state = {k: v for k, v in state.items() if k not in head}
        notes.append(f'dropped the classifier ({ckpt_classes} classes in the '
                     f'checkpoint, {model_classes} in the model): it is '
                     'trained from its initialisation')
    return state, notes


def load_pretrained_recognizer(recognizer: torch.nn.Module, checkpoint: str,
                               joint_map: Optional[Sequence[int]] = None,
                               map_location='cpu') -> List[str]:
    """Load a model-zoo checkpoint (path or URL) into ``recognizer``.

    Returns:
        list[str]: What was adapted (see :func:`adapt_pretrained_state`).
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    ckpt = _load_checkpoint(checkpoint, map_location=map_location)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    target = recognizer.state_dict()
    state, notes = adapt_pretrained_state(state, target, checkpoint,
                                          joint_map)
    result = recognizer.load_state_dict(state, strict=False)
    dropped = set(target) - set(state)
    assert set(result.missing_keys) == dropped and not \
        result.unexpected_keys, result
    return notes
