"""Save and restore the global random streams (python, numpy, torch)."""
import random
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch


def get_rng_state() -> dict:
    """Global RNG states of python, numpy, torch (and CUDA if in use)."""
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.random.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Restore states returned by :func:`get_rng_state`."""
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.random.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@contextmanager
def preserved_rng() -> Iterator[None]:
    """Run a block without moving the global random streams.

    Side computations during training (PreciseBN passes, validation) must
    not change the training's random draws, so that a run with and a run
    without them, or a resumed run, stay equal.
    """
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
