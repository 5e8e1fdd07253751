"""Confidence of unlabeled samples measured against class prototypes."""
from typing import Optional, Tuple

import torch
from torch import Tensor

from mmssar.registry import TASK_UTILS

_MEASURES = ('cosine', 'probability')
_LABELS = ('given', 'prototype')


@TASK_UTILS.register_module()
class PrototypeConfidence:
    """How well an unlabeled feature agrees with the prototype of its class.

    A thin scorer over :class:`~mmssar.models.memories.ClassPrototypes`
    (ACL's "confidence assessed against the prototypes"). With ``labels=
    'given'`` the class is the caller's pseudo-label (e.g. the EMA teacher's
    classifier argmax) and the score measures how well the feature backs it;
    with ``labels='prototype'`` the class is the nearest prototype.

    - ``'cosine'``: ``cos(f_i, p_{y_i})`` in [-1, 1] (0 for a class without
      a prototype yet);
    - ``'probability'``: ``softmax_k(cos(f_i, p_k) / T)[y_i]`` in [0, 1]
      over the classes that have a prototype.

    Args:
        measure (str): ``'cosine'`` or ``'probability'``.
            Defaults to ``'cosine'``.
        labels (str): ``'given'`` or ``'prototype'``. Defaults to ``'given'``.
        temperature (float, optional): Temperature of ``'probability'``.
            Defaults to the prototypes' own.
    """

    def __init__(self, measure: str = 'cosine', labels: str = 'given',
                 temperature: Optional[float] = None) -> None:
        if measure not in _MEASURES:
            raise ValueError(f'PrototypeConfidence: measure must be one of '
                             f'{_MEASURES}, got {measure!r}')
        if labels not in _LABELS:
            raise ValueError(f'PrototypeConfidence: labels must be one of '
                             f'{_LABELS}, got {labels!r}')
        if temperature is not None and temperature <= 0:
            raise ValueError('PrototypeConfidence: temperature must be > 0, '
                             f'got {temperature}')
        self.measure = measure
        self.labels = labels
        self.temperature = temperature

    @torch.no_grad()
    def __call__(self, prototypes, features: Tensor,
                 labels: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Score features.

        Args:
            prototypes (ClassPrototypes): The class prototypes (K, D).
            features (Tensor): (N, D) features (detached inside).
            labels (Tensor, optional): (N,) pseudo-labels; required with
                ``labels='given'``.

        Returns:
            tuple[Tensor, Tensor]: confidence (N,) float and the class it
            refers to (N,) long.
        """
        features = features.detach()
        if self.measure == 'cosine':
            scores = prototypes.similarity(features)
        else:
            scores = prototypes.probabilities(features, self.temperature)
        if self.labels == 'prototype':
            if self.measure == 'cosine':
                # classes without a prototype cannot be the nearest one
                init = prototypes.initialized.to(scores.device)
                if init.any():
                    scores = scores.masked_fill(~init, float('-inf'))
            conf, cls = scores.max(dim=1)
            return conf.clamp(min=-1.0), cls
        if labels is None or labels.shape != (features.shape[0], ):
            raise ValueError(
                'PrototypeConfidence(labels="given") needs (N,) labels for '
                f'{features.shape[0]} features, got '
                f'{None if labels is None else tuple(labels.shape)}')
        labels = labels.long().to(scores.device)
        return scores.gather(1, labels[:, None])[:, 0], labels
