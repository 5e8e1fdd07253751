"""Checkpoint conversion between SSL models and plain recognizers."""
from typing import Dict

import torch
from mmengine.runner.checkpoint import _load_checkpoint

#: state-dict prefix of each exportable network of an mmssar model
EXPORT_PREFIXES = {
    'student': ('student.', ),
    'teacher': ('teacher.module.', ),
    # two-network algorithms (LTG): the RGB network is the student, the
    # temporal-gradient network `tg_student`
    'rgb': ('student.', ),
    'tg': ('tg_student.', ),
}


def extract_recognizer_state(state_dict: Dict[str, torch.Tensor],
                             which: str) -> Dict[str, torch.Tensor]:
    """The plain-recognizer state dict of one network of an SSL model.

    Args:
        state_dict (dict): State dict of an mmssar model (``student.*``,
            ``teacher.module.*``, ...).
        which (str): ``'teacher'`` or ``'student'``; algorithms may define
            more (see :data:`EXPORT_PREFIXES`).

    Returns:
        dict: Keys without the network prefix (``backbone.*``,
        ``cls_head.*``), tensors only.
    """
    if which not in EXPORT_PREFIXES:
        raise KeyError(f'unknown network {which!r}; choose from '
                       f'{sorted(EXPORT_PREFIXES)}')
    for prefix in EXPORT_PREFIXES[which]:
        out = {
            k[len(prefix):]: v.detach().cpu().clone()
            for k, v in state_dict.items()
            if k.startswith(prefix) and torch.is_tensor(v)
        }
        if out:
            return out
    found = sorted({k.split('.')[0] for k in state_dict})
    raise KeyError(f'the checkpoint has no {which} weights (prefixes '
                   f'{EXPORT_PREFIXES[which]}); top-level keys: {found}')


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
