"""Collective helpers for losses and memories that need the global batch.

All functions are the identity when ``torch.distributed`` is not initialised
or runs a single process, and work with any backend whose collectives
support the tensor's device (NCCL for CUDA, gloo for CPU). Batch sizes may
differ across ranks (e.g. a last, smaller batch): tensors are padded to the
largest size for the collective and trimmed afterwards.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def _world() -> Tuple[int, int]:
    """(world size, rank); (1, 0) when not distributed."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    return 1, 0


def all_gather_sizes(num_rows: int, device=None) -> List[int]:
    """Every rank's number of rows, in rank order.

    Args:
        num_rows (int): This rank's row count.
        device (torch.device, optional): Device of the collective (CUDA for
            NCCL, CPU for gloo). Defaults to CPU.

    Returns:
        list[int]: One count per rank; ``[num_rows]`` when not distributed.
    """
    world_size, _ = _world()
    if world_size == 1:
        return [num_rows]
    size = torch.tensor([num_rows], device=device, dtype=torch.long)
    sizes = [torch.zeros_like(size) for _ in range(world_size)]
    dist.all_gather(sizes, size)
    return [int(s.item()) for s in sizes]


@torch.no_grad()
def all_gather_rows(x: Tensor,
                    sizes: Optional[Sequence[int]] = None) -> Tensor:
    """All-gather ``x`` along dim 0 in rank order, allowing unequal sizes.

    The one gather of the project: every other gather (with gradient,
    feature banks, queues) goes through it. Rows are padded to the largest
    rank's count for the collective and trimmed afterwards, so a rank may
    contribute zero rows. Every rank must call it (it is a collective) with
    the same trailing shape and dtype.

    Args:
        x (Tensor): Local rows, shape (N_r, ...). Not differentiated.
        sizes (Sequence[int], optional): Every rank's N_r, as returned by
            :func:`all_gather_sizes`; pass it to gather several tensors of
            one batch with a single size exchange. Defaults to None
            (exchanged here).

    Returns:
        Tensor: Shape (sum_r N_r, ...), detached, in rank order; ``x``
        itself when not distributed.
    """
    world_size, rank = _world()
    if world_size == 1:
        return x
    if sizes is None:
        sizes = all_gather_sizes(x.shape[0], x.device)
    sizes = [int(n) for n in sizes]
    if len(sizes) != world_size or sizes[rank] != x.shape[0]:
        raise ValueError(
            f'all_gather_rows: sizes {sizes} do not match world size '
            f'{world_size} and this rank\'s {x.shape[0]} rows')
    max_size = max(sizes)
    if max_size == 0:  # nothing anywhere: skip the collective on all ranks
        return x.detach()
    x = x.detach().contiguous()
    # gloo has no bool collectives; bytes carry the same values
    is_bool = x.dtype == torch.bool
    if is_bool:
        x = x.to(torch.uint8)
    if x.shape[0] < max_size:
        pad = x.new_zeros((max_size - x.shape[0], ) + tuple(x.shape[1:]))
        x = torch.cat([x, pad])
    parts = [torch.empty_like(x) for _ in range(world_size)]
    dist.all_gather(parts, x)
    out = torch.cat([p[:n] for p, n in zip(parts, sizes)])
    return out.bool() if is_bool else out


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
        sizes = all_gather_sizes(x.shape[0], x.device)
        ctx.sizes = sizes
        out = all_gather_rows(x, sizes)
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


def all_gather_no_grad(x: Tensor) -> Tensor:
    """Alias of :func:`all_gather_rows` (kept for existing callers)."""
    return all_gather_rows(x)


@torch.no_grad()
def all_reduce_sum(x: Tensor) -> Tensor:
    """Sum of ``x`` over ranks (a new tensor; ``x`` is left unchanged).

    Args:
        x (Tensor): Any shape; the same shape and dtype on every rank.

    Returns:
        Tensor: The element-wise sum, detached; ``x`` when not distributed.
    """
    if _world()[0] == 1:
        return x
    out = x.detach().clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out


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
    return all_reduce_sum(x) / world_size
