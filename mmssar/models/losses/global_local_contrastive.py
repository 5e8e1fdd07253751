"""TCLR global-local temporal contrastive loss."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmssar.registry import MODELS


@MODELS.register_module()
class GlobalLocalContrastiveLoss(nn.Module):
    """Time slice ``j`` of the sparse clip matches dense clip ``j``.

    Per video, ``logits = L G^T / tau`` with ``L`` (T, D) the embeddings of
    the sparse clip's T temporal slices and ``G`` (T, D) the global
    embeddings of the T dense clips; cross entropy with the diagonal as
    target in both directions (rows and columns). Official reduction: the
    summed cross entropies divided by ``2B``.

    Args:
        temperature (float): Defaults to 0.1.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, sparse_local: Tensor, dense_global: Tensor) -> Tensor:
        """Args: ``sparse_local`` (B, T, D), ``dense_global`` (B, T, D).
        Returns a scalar."""
        if sparse_local.shape != dense_global.shape or \
                sparse_local.dim() != 3:
            raise ValueError('GlobalLocalContrastiveLoss expects two (B, T, '
                             f'D) tensors, got {tuple(sparse_local.shape)} '
                             f'and {tuple(dense_global.shape)}')
        b, t, _ = sparse_local.shape
        local = F.normalize(sparse_local, dim=-1)
        glob = F.normalize(dense_global, dim=-1)
        logits = local @ glob.transpose(1, 2) / self.temperature
        target = torch.arange(t, device=logits.device).repeat(b)
        rows = F.cross_entropy(logits.reshape(b * t, t), target,
                               reduction='sum')
        cols = F.cross_entropy(
            logits.transpose(1, 2).reshape(b * t, t), target,
            reduction='sum')
        return self.loss_weight * (rows + cols) / (2 * b)
