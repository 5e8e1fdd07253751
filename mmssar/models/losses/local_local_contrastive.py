"""TCLR local-local temporal contrastive loss."""
import torch.nn as nn
from torch import Tensor

from mmssar.registry import MODELS
from .nt_xent import nt_xent


@MODELS.register_module()
class LocalLocalContrastiveLoss(nn.Module):
    """Dense clips of one video: same time = positive, other times = negative.

    Per video, NT-Xent whose "batch" is the video's ``T`` dense clips under
    two augmentations: clip ``j`` of augmentation 0 and clip ``j`` of
    augmentation 1 are positives, the other ``2T - 2`` clips of the *same
    video* are negatives (temporal distinctiveness). No cross-video
    negatives, hence no gather. Official reduction: summed over the videos.

    Args:
        temperature (float): Defaults to 0.1.
        reduction (str): ``'sum'`` over videos (official) or ``'mean'``.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1, reduction: str = 'sum',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if reduction not in ('sum', 'mean'):
            raise ValueError(f'reduction must be sum or mean, got '
                             f'{reduction!r}')
        self.temperature = temperature
        self.reduction = reduction
        self.loss_weight = loss_weight

    def forward(self, dense_a: Tensor, dense_b: Tensor) -> Tensor:
        """Args: ``dense_a``, ``dense_b`` (B, T, D) global embeddings of the
        T dense clips of each video under two augmentations. Returns a
        scalar."""
        if dense_a.dim() != 3:
            raise ValueError('LocalLocalContrastiveLoss expects (B, T, D), '
                             f'got {tuple(dense_a.shape)}')
        per_video = nt_xent(dense_a, dense_b, self.temperature)
        loss = per_video.sum() if self.reduction == 'sum' else \
            per_video.mean()
        return self.loss_weight * loss
