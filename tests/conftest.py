"""Shared pytest fixtures.

Importing :mod:`mmssar` here applies the compatibility patches before any test
touches MMAction2 or loads a checkpoint.
"""
import os.path as osp

import pytest
import torch

import mmssar  # noqa: F401
from mmssar.utils import register_all_modules

PROJECT_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.join(osp.dirname(PROJECT_ROOT), 'shared', 'data')

register_all_modules(init_default_scope=False)
# Tiny models gain nothing from intra-op threads, and on a shared 2-core
# machine (tests that launch training processes run next to this one)
# oversubscription makes them many times slower.
torch.set_num_threads(1)


@pytest.fixture(scope='session')
def project_root():
    return PROJECT_ROOT


@pytest.fixture(scope='session')
def shared_data():
    """Root of the real data set collection; skips when it is absent."""
    if not osp.isdir(SHARED_DATA):
        pytest.skip('real data (../shared/data next to the project) is absent')
    return SHARED_DATA
