"""Collective helpers for losses that need the whole global batch.

All functions are the identity when ``torch.distributed`` is not initialised
or runs a single process, and work with any backend whose collectives
support the tensor's device (NCCL for CUDA, gloo for CPU). Batch sizes may
differ across ranks (e.g. a last, smaller batch): tensors are padded to the
largest size for the collective and trimmed afterwards.
"""
from typing import List, Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def _world() -> Tuple[int, int]:
    """(world size, rank); (1, 0) when not distributed."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    return 1, 0


def _gather_rows(x: Tensor) -> Tuple[Tensor, List[int]]:
    """All-gather ``x`` along dim 0 in rank order, allowing unequal sizes.

    Returns:
        tuple[Tensor, list[int]]: The concatenation and each rank's size.
    """
    world_size, _ = _world()
    x = x.contiguous()
    size = torch.tensor([x.shape[0]], device=x.device, dtype=torch.long)
    sizes = [torch.zeros_like(size) for _ in range(world_size)]
    dist.all_gather(sizes, size)
    sizes = [int(s.item()) for s in sizes]
    max_size = max(sizes)
    if x.shape[0] < max_size:
        pad = x.new_zeros((max_size - x.shape[0], ) + tuple(x.shape[1:]))
        x = torch.cat([x, pad])
    parts = [torch.empty_like(x) for _ in range(world_size)]
    dist.all_gather(parts, x)
    return torch.cat([p[:n] for p, n in zip(parts, sizes)]), sizes


class _GatherWithGrad(torch.autograd.Function):
    """All-gather whose backward sums the gradients of all ranks.

    Every rank's loss may depend on every rank's rows, so the gradient of
    this rank's rows is the sum over ranks of the gradient each loss sends
    to them; after DDP averages parameter gradients (divides by the world
    size), training follows the gradient of the mean of the rank losses,
    i.e. of the single-process loss on the concatenated batch when every
    rank computes the full-batch loss.
    """

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        out, sizes = _gather_rows(x)
        ctx.sizes = sizes
        ctx.rank = _world()[1]
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        start = sum(ctx.sizes[:ctx.rank])
        return grad[start:start + ctx.sizes[ctx.rank]]


def gather_with_grad(x: Tensor) -> Tensor:
    """Differentiable all-gather along dim 0, in rank order.

    Args:
        x (Tensor): Local rows, shape (N_r, ...).

    Returns:
        Tensor: Shape (sum_r N_r, ...); ``x`` itself when not distributed.
        Backward returns this rank's slice of the gradient summed over ranks
        (the "GatherLayer" semantics).
    """
    if _world()[0] == 1:
        return x
    return _GatherWithGrad.apply(x)


@torch.no_grad()
def all_gather_no_grad(x: Tensor) -> Tensor:
    """All-gather along dim 0 in rank order, without autograd.

    Args:
        x (Tensor): Local rows, shape (N_r, ...).

    Returns:
        Tensor: Shape (sum_r N_r, ...), detached; ``x`` when not distributed.
    """
    if _world()[0] == 1:
        return x
    return _gather_rows(x.detach())[0]


@torch.no_grad()
def all_reduce_mean(x: Tensor) -> Tensor:
    """Mean of ``x`` over ranks (a new tensor; ``x`` is left unchanged).

    Args:
        x (Tensor): Any shape; the same shape on every rank.

    Returns:
        Tensor: The element-wise mean; ``x`` when not distributed.
    """
    world_size, _ = _world()
    if world_size == 1:
        return x
    out = x.detach().clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out / world_size
