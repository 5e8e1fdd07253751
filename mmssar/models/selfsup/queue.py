"""FIFO memory queue of normalised keys for MoCo-style contrastive learning."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine import dist

from mmssar.registry import MODELS


def gather_from_all_ranks(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` from every rank along dim 0, in rank order.

    Identity when not distributed. Every rank must pass the same shape
    (true with ``drop_last=True`` loaders). No gradient flows through.
    """
    if dist.get_world_size() == 1:
        return tensor
    return torch.cat(dist.all_gather(tensor.detach().contiguous()), dim=0)


@MODELS.register_module()
class FeatureQueue(nn.Module):
    """FIFO queue of ``size`` feature vectors held as buffers.

    ``queue`` (size, dim) and ``ptr`` (1,) are registered buffers, so they are
    saved in checkpoints and restored on resume, and move with ``.to()``.
    The queue starts as random unit vectors (as in MoCo / SCD-Net).

    :meth:`enqueue` all-gathers the keys across ranks first, so all ranks hold
    an identical queue; writing wraps around, so the batch size need not
    divide ``size`` (the official code asserts it does).

    Args:
        size (int): Number of stored keys K.
        dim (int): Feature width.
        normalize_init (bool): L2-normalise the random initial entries.
            Defaults to True.
    """

    def __init__(self, size: int, dim: int,
                 normalize_init: bool = True) -> None:
        super().__init__()
        if size <= 0 or dim <= 0:
            raise ValueError(
                f'FeatureQueue: size and dim must be positive, got '
                f'size={size}, dim={dim}')
        self.size = size
        self.dim = dim
        init = torch.randn(size, dim)
        if normalize_init:
            init = F.normalize(init, dim=1)
        self.register_buffer('queue', init)
        self.register_buffer('ptr', torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor, gather: bool = True) -> None:
        """Write ``keys`` (n, dim) (from every rank if ``gather``) at the
        pointer, overwriting the oldest entries, and advance the pointer by
        the number of written keys modulo ``size``."""
        if keys.dim() != 2 or keys.shape[1] != self.dim:
            raise ValueError(f'FeatureQueue.enqueue expects keys of shape '
                             f'(n, {self.dim}), got {tuple(keys.shape)}')
        if gather:
            keys = gather_from_all_ranks(keys)
        n = keys.shape[0]
        ptr = int(self.ptr)
        # Key i goes to slot (ptr + i) % size; when n > size only the newest
        # ``size`` keys survive, so write just those (unique indices).
        skip = max(0, n - self.size)
        idx = (ptr + skip + torch.arange(
            n - skip, device=self.queue.device)) % self.size
        self.queue[idx] = keys[skip:].detach().to(self.queue.dtype)
        self.ptr[0] = (ptr + n) % self.size

    def extra_repr(self) -> str:
        return f'size={self.size}, dim={self.dim}'
