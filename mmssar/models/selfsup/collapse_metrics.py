"""Representation-collapse monitors for contrastive pre-training.

A collapsed encoder maps every clip to (almost) the same embedding while a
queue-based InfoNCE loss can still look healthy (the contrast accuracy
exploits stale queue entries). These statistics expose it directly; all
take L2-normalised embeddings and return 0-d tensors without gradient.
"""
import torch
from torch import Tensor


@torch.no_grad()
def embedding_std(z: Tensor) -> Tensor:
    """Per-dimension standard deviation over the batch, averaged over dims.

    About ``1 / sqrt(D)`` (0.088 for D = 128) when unit vectors spread
    uniformly over the sphere, 0 when all rows are equal.

    Args:
        z (Tensor): (N, D) normalised embeddings, N >= 2.

    Returns:
        Tensor: 0-d.
    """
    if z.shape[0] < 2:
        return z.new_zeros(())
    return z.float().std(dim=0).mean()


@torch.no_grad()
def effective_rank(z: Tensor) -> Tensor:
    """Entropy-based effective rank of the centred embedding matrix.

    ``exp(H(p))`` with ``p`` the singular values of ``z - mean(z)``
    normalised to sum 1 (Roy & Vetterli, 2007): between 1 (one direction)
    and ``min(N - 1, D)``; 0 when all rows are equal (up to float
    round-off). Scale-free: it counts the directions of the variation however
    small the variation is, so read it together with :func:`embedding_std`.

    Args:
        z (Tensor): (N, D) embeddings.

    Returns:
        Tensor: 0-d.
    """
    z = z.float()
    s = torch.linalg.svdvals(z - z.mean(dim=0, keepdim=True))
    total = s.sum()
    # round-off of the centring leaves singular values ~1e-7 of the scale
    if total <= 1e-5 * z.norm():
        return z.new_zeros(())
    p = s / total
    p = p[p > 0]
    return torch.exp(-(p * p.log()).sum())


@torch.no_grad()
def partner_retrieval(query: Tensor, key: Tensor) -> Tensor:
    """Share of queries whose most similar key in the batch is their own.

    Chance level is ``1 / N``.

    Args:
        query (Tensor): (N, D) normalised embeddings of one view.
        key (Tensor): (N, D) normalised embeddings of the other view, row i
            the partner of query row i.

    Returns:
        Tensor: 0-d, in [0, 1].
    """
    target = torch.arange(query.shape[0], device=query.device)
    return ((query @ key.t()).argmax(dim=1) == target).float().mean()
