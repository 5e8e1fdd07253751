"""Checks of what a pipeline produced, and errors that name the sample."""
from typing import Optional

import numpy as np
import torch


def non_finite_input(results: dict) -> Optional[str]:
    """Where the packed ``inputs`` of a sample hold NaN or inf, else None.

    ``inputs`` may be a tensor / array or a dict of them (multi-view
    samples). Integer inputs (decoded video) are finite by construction and
    cost nothing; float inputs (keypoints, precomputed features) are
    checked.
    """

    def find(value, where):
        if isinstance(value, dict):
            for k, v in value.items():
                hit = find(v, f'{where}[{k!r}]')
                if hit:
                    return hit
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                hit = find(v, f'{where}[{i}]')
                if hit:
                    return hit
        elif torch.is_tensor(value) and value.is_floating_point():
            bad = int((~torch.isfinite(value)).sum())
            if bad:
                return f'{where} ({bad} of {value.numel()} values)'
        elif isinstance(value, np.ndarray) and value.dtype.kind == 'f':
            bad = int((~np.isfinite(value)).sum())
            if bad:
                return f'{where} ({bad} of {value.size} values)'
        return None

    return find(results.get('inputs'), 'inputs')


class SampleNamingPipeline:
    """Run a dataset's pipeline; re-raise its errors naming the sample.

    MMAction2's datasets call their pipeline without the sample's name, so a
    truncated clip in a validation list fails deep inside the decoder with no
    file name. Installed around the validation and test datasets by
    :class:`~mmssar.engine.hooks.SampleErrorHook`.

    Args:
        pipeline (callable): The dataset's pipeline (``Compose``).
        what (str): The set, for messages (``'validation'``, ``'test'``).
    """

    def __init__(self, pipeline, what: str) -> None:
        self.pipeline = pipeline
        self.what = what

    def __call__(self, results: dict):
        from .semi_dataset import sample_name
        name = sample_name(results)
        index = results.get('sample_idx')
        try:
            return self.pipeline(results)
        except Exception as e:
            raise RuntimeError(
                f'cannot load {self.what} sample {name} (index {index}): '
                f'{type(e).__name__}: {e}') from e

    def __getattr__(self, name):
        if name == 'pipeline':  # unpickling: not set yet
            raise AttributeError(name)
        return getattr(self.pipeline, name)

    def __repr__(self) -> str:
        return repr(self.pipeline)


def name_sample_errors(dataset, what: str) -> bool:
    """Wrap ``dataset.pipeline`` (once) in :class:`SampleNamingPipeline`.

    Returns:
        bool: Whether the dataset has a pipeline that is now wrapped.
    """
    pipeline = getattr(dataset, 'pipeline', None)
    if pipeline is None:
        return False
    if not isinstance(pipeline, SampleNamingPipeline):
        dataset.pipeline = SampleNamingPipeline(pipeline, what)
    return True
