"""Datasets, split tools and transforms of mmssar.

Importing this package registers everything into the mmssar registries.
"""
from . import transforms  # noqa: F401
from .samplers import SemiSampler
from .input_checks import name_sample_errors, non_finite_input
from .semi_dataset import (SemiDataset, check_disjoint, check_num_classes,
                           warn_missing_classes)

__all__ = [
    'SemiSampler', 'SemiDataset', 'check_disjoint', 'check_num_classes',
    'warn_missing_classes', 'name_sample_errors', 'non_finite_input'
]
