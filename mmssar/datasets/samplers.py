"""A sampler whose position can be restored without loading skipped samples."""
import math
from typing import Iterator, Optional, Sized, Tuple

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmssar.registry import DATA_SAMPLERS

#: Large odd multipliers for mixing (seed, epoch, position) into one seed.
_MIX = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D)


def sample_seed(seed: int, epoch: int, position: int) -> int:
    """Deterministic 31-bit seed of one draw of one sample.

    ``position`` is the place of the draw in the epoch's global permutation,
    so the value does not depend on the world size or the number of
    dataloader workers.
    """
    x = (seed * _MIX[0] + epoch * _MIX[1] + position * _MIX[2]) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x45D9F3B) & 0xFFFFFFFF
    x ^= x >> 16
    return x & 0x7FFFFFFF


@DATA_SAMPLERS.register_module()
class SemiSampler(Sampler):
    """Distributed sampler with exact, decode-free resume and per-sample seeds.

    It draws the same permutations as MMEngine's ``DefaultSampler`` (seeded by
    ``seed + epoch``, sliced by rank). Two additions make semi-supervised runs
    reproducible across interruptions:

    * :meth:`skip` makes the next iteration start ``n`` samples into this
      rank's slice, so a resumed run continues where the killed one stopped
      without decoding the videos in between.
    * With ``seeded=True`` it yields ``(index, seed)`` pairs;
      :class:`~mmssar.datasets.SemiDataset` seeds the random augmentation of
      that sample with ``seed``. The random views of a sample then depend on
      (seed, epoch, position) only — not on worker count, worker RNG history
      or whether the run was resumed.

    Args:
        dataset (Sized): The dataset.
        shuffle (bool): Whether to shuffle. Defaults to True.
        seed (int, optional): Shuffling seed, identical on all ranks.
            Defaults to None (a random seed synchronised across ranks).
        round_up (bool): Pad the permutation so that every rank gets the same
            number of samples. Defaults to True.
        seeded (bool): Yield ``(index, sample_seed)`` pairs. Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True,
                 seeded: bool = True) -> None:
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.round_up = round_up
        self.seeded = seeded
        self.epoch = 0
        self._skip = 0
        if round_up:
            self.num_samples = math.ceil(len(dataset) / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            self.num_samples = math.ceil(
                (len(dataset) - self.rank) / self.world_size)
            self.total_size = len(dataset)

    def _indices(self) -> list:
        if self.shuffle:
            g = torch.Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = torch.randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if self.round_up:
            reps = self.total_size // len(indices) + 1
            indices = (indices * reps)[:self.total_size]
        return indices

    def __iter__(self) -> Iterator:
        indices = self._indices()
        positions = range(self.rank, self.total_size, self.world_size)
        start, self._skip = self._skip, 0
        for pos in list(positions)[start:]:
            idx = indices[pos]
            if self.seeded:
                yield (idx, sample_seed(self.seed, self.epoch, pos))
            else:
                yield idx

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which selects the permutation."""
        self.epoch = epoch

    def skip(self, num_samples: int) -> None:
        """Start the next iteration ``num_samples`` into this rank's slice."""
        if not 0 <= num_samples <= self.num_samples:
            raise ValueError(f'cannot skip {num_samples} samples of a '
                             f'{self.num_samples}-sample epoch')
        self._skip = num_samples


def split_index(index) -> Tuple[int, Optional[int]]:
    """``index`` or ``(index, seed)`` from a sampler -> ``(index, seed)``."""
    if isinstance(index, (tuple, list)):
        return int(index[0]), int(index[1])
    return int(index), None
