"""Checkpoint conversion between SSL models and plain recognizers.

An mmssar model's state dict nests each network under its attribute name:
``student.*``, ``teachers.<name>.module.*`` (averaged / frozen wrappers hold
the recognizer in ``module``), and any further network an algorithm owns
(``tg_student.*`` in LTG). Checkpoints of earlier versions stored the one
EMA teacher as ``teacher.module.*``; they are read the same way.
"""
from typing import Dict, List, Optional

import torch
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

#: keys of a wrapper that are not part of the wrapped recognizer
_WRAPPER_KEYS = ('steps', )


def _is_recognizer_state(keys) -> bool:
    return any(k.startswith(('backbone.', 'cls_head.')) for k in keys)


def network_names(state_dict: Dict[str, torch.Tensor]) -> List[str]:
    """Names of the recognizers stored in an mmssar state dict."""
    names = []
    for key in state_dict:
        parts = key.split('.')
        if parts[0] == 'teachers' and len(parts) > 2:
            name = parts[1]
        else:
            name = parts[0]
        if name not in names and extract_recognizer_state(
                state_dict, name, strict=False):
            names.append(name)
    return names


def extract_recognizer_state(state_dict: Dict[str, torch.Tensor],
                             which: str,
                             strict: bool = True) -> Dict[str, torch.Tensor]:
    """The plain-recognizer state dict of one network of an SSL model.

    Args:
        state_dict (dict): State dict of an mmssar model.
        which (str): ``'student'``, a teacher name (``'teacher'`` is the
            default EMA teacher) or another network attribute.
        strict (bool): Raise when there is no such network; otherwise
            return an empty dict. Defaults to True.

    Returns:
        dict: Keys without the network prefix (``backbone.*``,
        ``cls_head.*``), detached CPU tensors.
    """
    for prefix in (f'{which}.', f'teachers.{which}.'):
        sub = {
            k[len(prefix):]: v for k, v in state_dict.items()
            if k.startswith(prefix) and torch.is_tensor(v)
        }
        if sub and not _is_recognizer_state(sub):
            # an averaged-model or frozen wrapper: the recognizer is `module`
            sub = {
                k[len('module.'):]: v for k, v in sub.items()
                if k.startswith('module.')
            }
        if sub and _is_recognizer_state(sub):
            return {k: v.detach().cpu().clone() for k, v in sub.items()}
    if not strict:
        return {}
    raise KeyError(f'the checkpoint has no network {which!r}; it holds '
                   f'{network_names(state_dict) or "no recognizer"}')


def export_recognizer(src: str, dst: str, which: str = 'teacher') -> int:
    """Write ``{'state_dict': ..., 'meta': ...}`` for the plain recognizer.

    Returns:
        int: Number of exported tensors.
    """
    ckpt = _load_checkpoint(src, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    out = extract_recognizer_state(state, which)
    meta = dict(source=str(src), network=which)
    src_meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
    for key in ('epoch', 'iter'):
        if key in src_meta:
            meta[key] = int(src_meta[key])
    torch.save(dict(state_dict=out, meta=meta), dst)
    return len(out)


def load_recognizer_weights(module: nn.Module,
                            checkpoint: str,
                            network: Optional[str] = None) -> None:
    """Load a recognizer checkpoint into ``module`` with every key checked.

    Args:
        module (nn.Module): The recognizer to fill.
        checkpoint (str): File or URL: a plain / exported recognizer
            checkpoint, or an mmssar training checkpoint.
        network (str, optional): Network to take from an mmssar training
            checkpoint. Required when the file holds several.

    Raises:
        KeyError: The file holds several networks and none is named, or the
            named one is absent.
        RuntimeError: Keys or shapes do not match ``module`` (the message
            lists them).
    """
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    if network is not None:
        state = extract_recognizer_state(state, network)
    elif not _is_recognizer_state(state):
        raise KeyError(
            f'{checkpoint} is an mmssar training checkpoint holding '
            f'{network_names(state)}; say which with network=...')
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = sorted(k for k in set(own) & set(state)
                    if own[k].shape != state[k].shape)
    if missing or unexpected or shapes:
        mismatch = [(k, tuple(state[k].shape), tuple(own[k].shape))
                    for k in shapes[:8]]
        raise RuntimeError(
            f'{checkpoint} does not fit {type(module).__name__}: missing '
            f'{missing[:8]}, unexpected {unexpected[:8]}, shape mismatch '
            f'(key, file, model) {mismatch}')
    module.load_state_dict(state)
