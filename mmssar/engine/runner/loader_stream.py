"""Endless batches from a dataloader with a resumable position."""
from typing import Optional

from mmengine.logging import print_log
from torch.utils.data import DataLoader


def _sampler_of(loader: DataLoader):
    sampler = getattr(loader, 'sampler', None)
    batch_sampler = getattr(loader, 'batch_sampler', None)
    if batch_sampler is not None and hasattr(batch_sampler, 'sampler'):
        inner = batch_sampler.sampler
        if hasattr(inner, 'set_epoch'):
            return inner
    return sampler


class LoaderStream:
    """Cycle through a dataloader, tracking ``(epoch, step)``.

    ``step`` counts the batches consumed in the current ``epoch``. The
    sampler's ``set_epoch`` is called before each pass, so every pass is a
    new permutation. After :meth:`load_state_dict`, the next pass starts at
    the saved step: with :class:`~mmssar.datasets.SemiSampler` by skipping
    indices (nothing is decoded), with other samplers by fetching and dropping
    batches (slow; a warning says so).

    Args:
        dataloader (DataLoader): The loader to cycle.
        name (str): Name used in messages.
    """

    def __init__(self, dataloader: DataLoader, name: str) -> None:
        self.dataloader = dataloader
        self.name = name
        self.epoch = 0
        self.step = 0
        self._iterator: Optional[object] = None
        self._peeked = None
        if getattr(dataloader, 'generator', None) is None:
            # Creating a DataLoader iterator draws a base seed from the given
            # generator, or from the global torch RNG when there is none;
            # a private generator keeps the model's RNG stream independent of
            # when iterators are (re)created, which exact resume relies on.
            import torch
            dataloader.generator = torch.Generator()
            dataloader.generator.manual_seed(0)

    def __len__(self) -> int:
        return len(self.dataloader)

    @property
    def sampler(self):
        return _sampler_of(self.dataloader)

    def start(self) -> None:
        """Create the iterator of the current epoch at the current step."""
        if self.step >= len(self):
            self.epoch, self.step = self.epoch + 1, 0
        sampler = self.sampler
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(self.epoch)
        skip_batches = 0
        if self.step:
            if hasattr(sampler, 'skip'):
                sampler.skip(self.step * self.dataloader.batch_size)
            else:
                skip_batches = self.step
                print_log(
                    f'{self.name}: the sampler cannot skip; fetching '
                    f'{skip_batches} batches to restore the position '
                    '(use SemiSampler to avoid this).',
                    logger='current')
        self._iterator = iter(self.dataloader)
        for _ in range(skip_batches):
            next(self._iterator)
        # Fetch the first batch now: samplers draw their permutation lazily,
        # and a later ``set_epoch`` from another party (MMEngine's
        # DistSamplerSeedHook sets the labeled sampler to the loop's epoch)
        # must not change the pass that was just started.
        try:
            self._peeked = next(self._iterator)
        except StopIteration:
            raise RuntimeError(f'{self.name} yields no batch') from None

    def next(self):
        """The next batch; a new epoch starts when the loader is exhausted."""
        if self._iterator is None:
            self.start()
        if self._peeked is not None:
            batch, self._peeked = self._peeked, None
        else:
            try:
                batch = next(self._iterator)
            except StopIteration:
                self.epoch, self.step = self.epoch + 1, 0
                self.start()
                batch, self._peeked = self._peeked, None
        self.step += 1
        return batch

    def state_dict(self) -> dict:
        return dict(epoch=self.epoch, step=self.step)

    def load_state_dict(self, state: dict) -> None:
        self.epoch, self.step = int(state['epoch']), int(state['step'])
        self._iterator = self._peeked = None
