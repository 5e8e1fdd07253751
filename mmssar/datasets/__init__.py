"""Datasets, split tools and transforms of mmssar.

Importing this package registers everything into the mmssar registries.
"""
from . import transforms  # noqa: F401
