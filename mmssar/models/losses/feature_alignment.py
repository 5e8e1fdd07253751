"""Block-wise dense feature alignment (LTG: RGB stages pulled to TG stages)."""
from typing import List, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmssar.registry import MODELS

Features = Union[Tensor, Sequence[Tensor]]


@MODELS.register_module()
class FeatureAlignmentLoss(nn.Module):
    """Dense alignment of paired feature maps, summed over stages.

    For each stage, ``source`` (e.g. RGB, shape (N, C, T, H, W) or any
    (N, C, ...)) is compared with ``target`` (e.g. TG, same shape) at every
    position:

    - ``'cosine'``: ``1 - mean over (N, T, H, W) of cos_C(source, target)``
      (cosine over the channel dim); a position where a vector is all zero
      has cosine 0;
    - ``'l1'``: mean absolute difference over all elements;
    - ``'l2'``: mean squared difference over all elements.

    Stage losses are summed with weight 1 each (LTG logs one loss per stage
    and sums them); :meth:`stage_losses` returns them separately. With
    ``stop_grad_target`` the target is detached so that only the source
    network learns from this term.

    Args:
        loss_type (str): ``'cosine'``, ``'l1'`` or ``'l2'``.
            Defaults to ``'cosine'``.
        stop_grad_target (bool): Detach ``target``. Defaults to True.
        loss_weight (float): Multiplier of the summed loss. Defaults to 1.0.
    """

    _TYPES = ('cosine', 'l1', 'l2')

    def __init__(self,
                 loss_type: str = 'cosine',
                 stop_grad_target: bool = True,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if loss_type not in self._TYPES:
            raise ValueError(f'FeatureAlignmentLoss: loss_type must be one of'
                             f' {self._TYPES}, got {loss_type!r}')
        self.loss_type = loss_type
        self.stop_grad_target = stop_grad_target
        self.loss_weight = loss_weight

    def _one_stage(self, source: Tensor, target: Tensor) -> Tensor:
        if self.stop_grad_target:
            target = target.detach()
        if self.loss_type == 'cosine':
            return 1 - F.cosine_similarity(source, target, dim=1).mean()
        if self.loss_type == 'l1':
            return F.l1_loss(source, target)
        return F.mse_loss(source, target)

    def stage_losses(self, source: Features, target: Features) -> List[Tensor]:
        """Unweighted loss of every stage.

        Args:
            source (Tensor | Sequence[Tensor]): Feature map(s), each
                (N, C, ...).
            target (Tensor | Sequence[Tensor]): Paired feature map(s), same
                number and shapes.

        Returns:
            list[Tensor]: One scalar per stage.
        """
        if isinstance(source, Tensor):
            source = [source]
        if isinstance(target, Tensor):
            target = [target]
        if len(source) != len(target) or not len(source):
            raise ValueError('FeatureAlignmentLoss: got '
                             f'{len(source)} source and {len(target)} target '
                             'stages')
        losses = []
        for i, (src, tgt) in enumerate(zip(source, target)):
            if src.shape != tgt.shape or src.dim() < 2:
                raise ValueError(f'FeatureAlignmentLoss: stage {i} shapes '
                                 f'{tuple(src.shape)} and {tuple(tgt.shape)} '
                                 'must match and be (N, C, ...)')
            losses.append(self._one_stage(src, tgt))
        return losses

    def forward(self, source: Features, target: Features) -> Tensor:
        """Weighted sum of the stage losses.

        Args:
            source (Tensor | Sequence[Tensor]): See :meth:`stage_losses`.
            target (Tensor | Sequence[Tensor]): See :meth:`stage_losses`.

        Returns:
            Tensor: Scalar loss.
        """
        return self.loss_weight * torch.stack(
            self.stage_losses(source, target)).sum()

    def extra_repr(self) -> str:
        return (f'loss_type={self.loss_type!r}, '
                f'stop_grad_target={self.stop_grad_target}, '
                f'loss_weight={self.loss_weight}')
