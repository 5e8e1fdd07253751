"""FIFO bank of features with per-entry fields, identical on every rank."""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmssar.registry import MODELS
from ..utils.dist_utils import all_gather_rows, all_gather_sizes

#: dtypes a field may have, and the value of a slot never written
_FIELD_DTYPES = {
    'long': (torch.long, -1),
    'float': (torch.float32, 0.0),
    'bool': (torch.bool, False),
}
_INITS = ('empty', 'random_unit')


@MODELS.register_module()
class FeatureBank(nn.Module):
    """First-in-first-out bank of ``size`` feature vectors with extra fields.

    Every entry holds a feature and one value per declared field (e.g. a
    pseudo-label, a confidence, a sample index). All of it lives in
    registered buffers (``features`` (size, dim), one (size,) buffer per
    field, ``ptr`` (1,) and ``num_valid`` (1,)), so the bank is saved in
    checkpoints, resumes exactly and moves with ``.to()``.

    :meth:`push` all-gathers the new entries from every rank (in rank order,
    unequal per-rank counts allowed, zero included) before writing, so every
    rank holds an identical bank — the same bank a single process would
    hold after pushing the concatenated batches. Writing wraps around; when
    more than ``size`` entries arrive at once only the newest ``size`` are
    kept. Entries are written from slot 0, so the valid entries are always
    slots ``[0, num_valid)``.

    Args:
        size (int): Number of slots.
        dim (int): Feature width.
        fields (dict[str, str]): Extra per-entry fields, name -> dtype
            (``'long'``, ``'float'`` or ``'bool'``). Unwritten slots hold -1,
            0.0 and False respectively. Defaults to
            ``dict(labels='long', confidences='float')``.
        init (str): ``'empty'`` (no valid entry; ``features`` zero) or
            ``'random_unit'`` (every slot a random unit vector and counted
            as valid, as MoCo / SCD-Net initialise their queues). The random
            start is drawn from the process RNG: seed it identically on all
            ranks (MMEngine does) — DDP also broadcasts rank 0's buffers.
            Defaults to ``'empty'``.
        gather (bool): Default of :meth:`push`'s ``gather``. Defaults to
            True.
    """

    def __init__(self,
                 size: int,
                 dim: int,
                 fields: Optional[Dict[str, str]] = None,
                 init: str = 'empty',
                 gather: bool = True) -> None:
        super().__init__()
        if size <= 0 or dim <= 0:
            raise ValueError(f'FeatureBank: size and dim must be positive, '
                             f'got size={size}, dim={dim}')
        if init not in _INITS:
            raise ValueError(
                f'FeatureBank: init must be one of {_INITS}, got {init!r}')
        if fields is None:
            fields = dict(labels='long', confidences='float')
        reserved = {
            'features', 'ptr', 'num_valid', 'size', 'dim', 'fields', 'init',
            'gather'
        }
        for name, dtype in fields.items():
            if dtype not in _FIELD_DTYPES:
                raise ValueError(
                    f'FeatureBank: field {name!r} has dtype {dtype!r}; use '
                    f'one of {sorted(_FIELD_DTYPES)}')
            if name in reserved or not name.isidentifier() or hasattr(
                    self, name):
                raise ValueError(
                    f'FeatureBank: {name!r} cannot name a field (reserved or '
                    f'not an identifier)')
        self.size = size
        self.dim = dim
        self.fields = dict(fields)
        self.init = init
        self.gather = gather

        self.register_buffer('features', torch.zeros(size, dim))
        for name, dtype in self.fields.items():
            torch_dtype, fill = _FIELD_DTYPES[dtype]
            self.register_buffer(name,
                                 torch.full((size, ), fill, dtype=torch_dtype))
        self.register_buffer('ptr', torch.zeros(1, dtype=torch.long))
        self.register_buffer('num_valid', torch.zeros(1, dtype=torch.long))
        self.reset()

    @torch.no_grad()
    def reset(self) -> None:
        """Return to the initial state (``init``)."""
        for name, dtype in self.fields.items():
            getattr(self, name).fill_(_FIELD_DTYPES[dtype][1])
        self.ptr.zero_()
        if self.init == 'random_unit':
            self.features.copy_(
                F.normalize(torch.randn(self.size, self.dim), dim=1))
            self.num_valid.fill_(self.size)
        else:
            self.features.zero_()
            self.num_valid.zero_()

    @property
    def is_full(self) -> bool:
        """Whether every slot holds a valid entry."""
        return int(self.num_valid) == self.size

    def __len__(self) -> int:
        return int(self.num_valid)

    def _check(self, features: Tensor, values: Dict[str, Tensor]) -> None:
        if features.dim() != 2 or features.shape[1] != self.dim:
            raise ValueError(f'FeatureBank.push: features must be (N, '
                             f'{self.dim}), got {tuple(features.shape)}')
        unknown = sorted(set(values) - set(self.fields))
        missing = sorted(set(self.fields) - set(values))
        if unknown or missing:
            raise KeyError(
                f'FeatureBank.push: the bank has fields '
                f'{sorted(self.fields)}; unknown {unknown}, missing {missing}')
        for name, value in values.items():
            if value.shape != (features.shape[0], ):
                raise ValueError(
                    f'FeatureBank.push: field {name!r} must be '
                    f'({features.shape[0]},) like the features, got '
                    f'{tuple(value.shape)}')

    @torch.no_grad()
    def push(self,
             features: Tensor,
             gather: Optional[bool] = None,
             **values: Tensor) -> None:
        """Append entries, overwriting the oldest ones when full.

        A collective when gathering: every rank must call it, possibly with
        zero rows.

        Args:
            features (Tensor): (N, dim). Stored detached, cast to float32.
            gather (bool, optional): All-gather the entries of every rank
                first. Defaults to the constructor's ``gather``.
            **values (Tensor): One (N,) tensor per declared field, no more
                and no fewer.
        """
        self._check(features, values)
        if self.gather if gather is None else gather:
            sizes = all_gather_sizes(features.shape[0], features.device)
            features = all_gather_rows(features, sizes)
            values = {
                name: all_gather_rows(value, sizes)
                for name, value in values.items()
            }
        n = features.shape[0]
        if n == 0:
            return
        ptr = int(self.ptr)
        # Entry i goes to slot (ptr + i) % size; when n > size only the
        # newest ``size`` survive, so write just those (unique indices).
        skip = max(0, n - self.size)
        slots = (ptr + skip + torch.arange(
            n - skip, device=self.features.device)) % self.size
        self.features[slots] = features[skip:].detach().to(
            self.features.device, self.features.dtype)
        for name, value in values.items():
            buf = getattr(self, name)
            buf[slots] = value[skip:].detach().to(buf.device, buf.dtype)
        self.ptr.fill_((ptr + n) % self.size)
        self.num_valid.fill_(min(int(self.num_valid) + n, self.size))

    def valid_entries(self, ordered: bool = False) -> Dict[str, Tensor]:
        """The valid entries: ``features`` (num_valid, dim) and every field
        (num_valid,).

        Args:
            ordered (bool): Oldest entry first (a roll of the slots when the
                bank is full); otherwise slot order. Defaults to False.

        Returns:
            dict[str, Tensor]: Views of the buffers when not ``ordered``:
            clone them to keep them across a later :meth:`push`.
        """
        n = int(self.num_valid)
        names = ['features'] + list(self.fields)
        out = {name: getattr(self, name)[:n] for name in names}
        if ordered and n == self.size and int(self.ptr) != 0:
            shift = -int(self.ptr)
            out = {name: value.roll(shift, 0) for name, value in out.items()}
        return out

    def extra_repr(self) -> str:
        return (f'size={self.size}, dim={self.dim}, fields={self.fields}, '
                f'init={self.init!r}')
