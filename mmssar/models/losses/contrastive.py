"""Cross-modal InfoNCE (LTG's RGB <-> temporal-gradient contrastive loss)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmssar.models.utils.dist_utils import gather_with_grad
from mmssar.registry import MODELS


@MODELS.register_module()
class InfoNCELoss(nn.Module):
    """InfoNCE between two paired embedding sets (e.g. RGB and TG).

    Row ``i`` of ``q`` and row ``i`` of ``k`` come from the same clip and are
    the positive pair; every other row of the *other* set is a negative
    (no intra-set negatives, no memory queue), as in LTG. Both sets are
    L2-normalised. With ``gather=True`` both are all-gathered with
    :func:`~mmssar.models.utils.dist_utils.gather_with_grad`, and every rank
    computes the loss of the whole global batch, so its value equals the
    single-process value on the concatenated batch and, after DDP's gradient
    averaging, so does the gradient. (The official code keeps queries local
    and gathers only keys: for equal per-rank batches the mean of its rank
    losses is the same objective.)

    Args:
        temperature (float): Softmax temperature. Defaults to 0.5 (LTG).
        symmetric (bool): Average the ``q -> k`` and ``k -> q`` directions.
            Defaults to True.
        gather (bool): Use negatives from all ranks. Defaults to True.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.5,
                 symmetric: bool = True,
                 gather: bool = True,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'InfoNCELoss: temperature must be > 0, got '
                             f'{temperature}')
        self.temperature = temperature
        self.symmetric = symmetric
        self.gather = gather
        self.loss_weight = loss_weight

    def forward(self, q: Tensor, k: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            q (Tensor): Embeddings of the first modality, shape (N, D).
            k (Tensor): Embeddings of the second modality, shape (N, D);
                ``k[i]`` is the positive of ``q[i]``.

        Returns:
            Tensor: Scalar loss, mean over the (global) batch.
        """
        if q.dim() != 2 or q.shape != k.shape:
            raise ValueError('InfoNCELoss expects two (N, D) tensors of the '
                             f'same shape, got {tuple(q.shape)} and '
                             f'{tuple(k.shape)}')
        q = F.normalize(q, dim=1)
        k = F.normalize(k, dim=1)
        if self.gather:
            q = gather_with_grad(q)
            k = gather_with_grad(k)
        logits = q @ k.t() / self.temperature
        target = torch.arange(logits.shape[0], device=logits.device)
        loss = F.cross_entropy(logits, target)
        if self.symmetric:
            loss = 0.5 * (loss + F.cross_entropy(logits.t(), target))
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, symmetric={self.symmetric}, '
                f'gather={self.gather}, loss_weight={self.loss_weight}')
