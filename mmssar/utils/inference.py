"""Run an exported mmssar recognizer with MMAction2's inference API.

An SSL run's exported teacher / student (tools/misc/export_checkpoint.py)
is a plain recognizer checkpoint. :func:`plain_recognizer_cfg` turns the
run's training config into what MMAction2's ``init_recognizer`` /
``inference_recognizer`` expect: the recognizer (``model.student`` of a
semi-supervised config) and a top-level ``test_pipeline``.
"""
import copy
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import torch


def plain_recognizer_cfg(cfg):
    """A copy of ``cfg`` whose ``model`` is a plain MMAction2 recognizer.

    Args:
        cfg (mmengine.Config): A training config: semi-supervised
            (``model.student``) or plain.

    Returns:
        mmengine.Config: ``model`` = the student recognizer (the exported
        teacher has the same architecture), ``test_pipeline`` = the config's
        own or its test (else val) dataloader's pipeline.

    Raises:
        KeyError: The config has neither a ``test_pipeline`` nor a test /
            val dataloader pipeline.
    """
    cfg = copy.deepcopy(cfg)
    if 'student' in cfg.model:
        cfg.model = cfg.model.student
    if cfg.get('test_pipeline') is None:
        for loader in ('test_dataloader', 'val_dataloader'):
            pipeline = (cfg.get(loader) or {}).get('dataset', {}).get(
                'pipeline')
            if pipeline:
                cfg.test_pipeline = pipeline
                break
        else:
            raise KeyError(
                f'{cfg.filename or "the config"} has no test_pipeline and no '
                'test_dataloader.dataset.pipeline to take one from')
    return cfg


def init_exported_recognizer(config, checkpoint: Optional[str],
                             device: str = 'cpu') -> torch.nn.Module:
    """MMAction2's ``init_recognizer`` on :func:`plain_recognizer_cfg`,
    loading the checkpoint strictly: a checkpoint of another architecture
    is an error naming the missing / unexpected keys, not a model with
    random layers."""
    import mmengine
    from mmaction.apis import init_recognizer
    from mmengine.runner import load_checkpoint
    if not isinstance(config, mmengine.Config):
        config = mmengine.Config.fromfile(config)
    model = init_recognizer(plain_recognizer_cfg(config), None, device)
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model


def read_label_map(path: str) -> List[str]:
    """Class names, one per line (MMAction2's label-map format, also the
    synthetic set's ``classes.txt``)."""
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def topk_classes(scores: torch.Tensor, k: int = 5,
                 names: Optional[Sequence[str]] = None
                 ) -> List[Tuple[int, str, float]]:
    """``(index, name, score)`` of the ``k`` best classes, best first."""
    k = min(k, scores.numel())
    values, indices = scores.float().topk(k)
    out = []
    for v, i in zip(values.tolist(), indices.tolist()):
        if names is not None and i >= len(names):
            raise ValueError(f'class {i} is beyond the label map '
                             f'({len(names)} names)')
        out.append((i, names[i] if names is not None else f'class {i}', v))
    return out


def default_label_map(cfg) -> Optional[str]:
    """``classes.txt`` in the config's ``data_root``, if there is one."""
    root = cfg.get('data_root')
    if isinstance(root, str) and osp.isfile(osp.join(root, 'classes.txt')):
        return osp.join(root, 'classes.txt')
    return None
