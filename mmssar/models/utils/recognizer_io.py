"""Recognizer-agnostic access to logits (Recognizer2D/3D/GCN alike)."""
from typing import Optional

from torch import Tensor, nn


def recognizer_logits(recognizer: nn.Module, inputs: Tensor) -> Tensor:
    """Class logits of a MMAction2 recognizer in training layout.

    Args:
        recognizer (nn.Module): A ``BaseRecognizer`` (2D, 3D or GCN).
        inputs (Tensor): A batch as the recognizer's ``loss`` receives it,
            e.g. ``(N, num_clips, C, T, H, W)`` for 3D, ``(N, num_segs, C,
            H, W)`` for 2D, ``(N, num_clips, M, T, V, C)`` for GCN.

    Returns:
        Tensor: ``(N * num_clips, num_classes)`` logits; 2D recognizers fuse
        segments, so ``(N, num_classes)``.
    """
    logits, _ = recognizer.extract_feat(inputs, stage='head')
    return logits


def recognizer_num_classes(recognizer: nn.Module) -> Optional[int]:
    head = getattr(recognizer, 'cls_head', None)
    return getattr(head, 'num_classes', None)


def clips_per_sample(inputs: Tensor, logits: Tensor) -> int:
    """How many logit rows each sample produced (clips of 3D/GCN inputs)."""
    return max(1, logits.shape[0] // inputs.shape[0])


def per_sample(logits: Tensor, num_samples: int) -> Tensor:
    """Average the clip logits of each sample: ``(N*k, K) -> (N, K)``."""
    if logits.shape[0] == num_samples:
        return logits
    return logits.view(num_samples, -1, logits.shape[-1]).mean(dim=1)


def recognizer_stages(recognizer: nn.Module, inputs: Tensor) -> tuple:
    """Stage features and logits of a recognizer in one pass.

    The backbone must return a tuple of stage outputs (e.g. ``ResNet3d`` or
    ``ResNetTSM`` with ``out_indices=(0, 1, 2, 3)``); the last one feeds the
    head. Works for 3D (``(N, clips, C, T, H, W)``), 2D (``(N, segs, C, H,
    W)``, the head fuses segments) and GCN inputs.

    Returns:
        tuple: ``(stages, logits)``, stage tensors with ``N * clips`` (3D,
        GCN) or ``N * segs`` (2D) rows, and logits as
        :func:`recognizer_logits` returns them.
    """
    num_segs = inputs.shape[1]
    flat = inputs.reshape((-1, ) + inputs.shape[2:])
    stages = recognizer.backbone(flat)
    if not isinstance(stages, (tuple, list)):
        stages = (stages, )
    head_kwargs = {}
    if type(recognizer).__name__ == 'Recognizer2D':
        head_kwargs['num_segs'] = num_segs
    logits = recognizer.cls_head(stages[-1], **head_kwargs)
    return tuple(stages), logits
