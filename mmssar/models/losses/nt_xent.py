"""NT-Xent (SimCLR) contrastive loss."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmssar.models.utils.dist_utils import gather_with_grad
from mmssar.registry import MODELS


def nt_xent(a: Tensor, b: Tensor, temperature: float) -> Tensor:
    """NT-Xent of paired sets, batched over leading dims.

    For each group, the ``2n`` rows of ``cat(a, b)`` are anchors; row ``i``
    of ``a`` and row ``i`` of ``b`` are each other's positive and the other
    ``2n - 2`` rows are negatives; the loss is the summed cross entropy
    divided by ``2n`` (SimCLR's form, as TimeBalance / TCLR use it).
    Inputs are L2-normalised here.

    Args:
        a (Tensor): ``(..., n, D)``.
        b (Tensor): ``(..., n, D)``; ``b[..., i, :]`` is the positive of
            ``a[..., i, :]``.
        temperature (float): Softmax temperature.

    Returns:
        Tensor: ``(...)`` one loss per group (a scalar for 2-D inputs).
    """
    if a.shape != b.shape or a.dim() < 2:
        raise ValueError('nt_xent expects two (..., n, D) tensors of the same '
                         f'shape, got {tuple(a.shape)} and {tuple(b.shape)}')
    n = a.shape[-2]
    z = F.normalize(torch.cat([a, b], dim=-2), dim=-1)
    sim = z @ z.transpose(-1, -2) / temperature
    eye = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(eye, float('-inf'))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
    logits = sim.reshape(-1, 2 * n)
    ce = F.cross_entropy(logits, target.repeat(logits.shape[0] // (2 * n)),
                         reduction='none')
    return ce.reshape(sim.shape[:-1]).sum(-1) / (2 * n)


@MODELS.register_module()
class NTXentLoss(nn.Module):
    """NT-Xent between two augmentations (instance contrast).

    Row ``i`` of ``a`` and row ``i`` of ``b`` are positives; every other row
    of both sets is a negative (``2B - 2`` per anchor). With ``gather=True``
    the rows of every rank are gathered with
    :func:`~mmssar.models.utils.dist_utils.gather_with_grad` first, so each
    rank computes the loss of the global batch (the single-process value on
    the concatenated batch, like :class:`InfoNCELoss`). It differs from
    :class:`InfoNCELoss` in using the intra-set rows as negatives too.

    Args:
        temperature (float): Defaults to 0.1 (TimeBalance).
        gather (bool): Negatives from all ranks. Defaults to True.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1, gather: bool = True,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'NTXentLoss: temperature must be > 0, got '
                             f'{temperature}')
        self.temperature = temperature
        self.gather = gather
        self.loss_weight = loss_weight

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        """``(B, D)`` and ``(B, D)`` -> scalar."""
        if a.dim() != 2:
            raise ValueError(f'NTXentLoss expects (B, D) inputs, got '
                             f'{tuple(a.shape)}')
        if self.gather:
            a, b = gather_with_grad(a), gather_with_grad(b)
        return self.loss_weight * nt_xent(a, b, self.temperature)

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, gather={self.gather}, '
                f'loss_weight={self.loss_weight}')
