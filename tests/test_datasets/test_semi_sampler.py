"""SemiSampler: DefaultSampler permutations, rank slicing, exact skip,
per-sample seeds that do not depend on the world size."""
import mmengine.dataset.sampler as mmengine_sampler
import pytest
from mmengine.dataset import DefaultSampler

import mmssar.datasets.samplers as semi_samplers
from mmssar.datasets import SemiSampler
from mmssar.datasets.samplers import sample_seed, split_index
from mmssar.registry import DATA_SAMPLERS


def _as_rank(monkeypatch, rank, world_size):
    info = lambda: (rank, world_size)  # noqa: E731
    monkeypatch.setattr(semi_samplers, 'get_dist_info', info)
    monkeypatch.setattr(mmengine_sampler, 'get_dist_info', info)


def _semi(monkeypatch, n, rank=0, world=1, **kwargs):
    _as_rank(monkeypatch, rank, world)
    return SemiSampler(list(range(n)), **kwargs)


@pytest.mark.parametrize('n,world', [(10, 1), (10, 3), (7, 2), (5, 4)])
@pytest.mark.parametrize('shuffle', [True, False])
@pytest.mark.parametrize('round_up', [True, False])
def test_same_indices_as_default_sampler(monkeypatch, n, world, shuffle,
                                         round_up):
    for epoch in (0, 3):
        for rank in range(world):
            _as_rank(monkeypatch, rank, world)
            ref = DefaultSampler(
                list(range(n)), shuffle=shuffle, seed=11, round_up=round_up)
            ours = SemiSampler(
                list(range(n)),
                shuffle=shuffle,
                seed=11,
                round_up=round_up,
                seeded=False)
            ref.set_epoch(epoch)
            ours.set_epoch(epoch)
            assert list(ours) == list(ref), (epoch, rank)
            assert len(ours) == len(ref) == len(list(ours))


def test_ranks_partition_the_padded_permutation(monkeypatch):
    n, world = 10, 4
    parts = [
        list(_semi(monkeypatch, n, r, world, seed=3, seeded=False))
        for r in range(world)
    ]
    assert all(len(p) == 3 for p in parts)  # ceil(10 / 4)
    flat = [i for p in parts for i in p]
    assert set(flat) == set(range(n))
    assert len(flat) == 12  # padded with two repeats


def test_seeded_pairs_and_seeds_independent_of_world_size(monkeypatch):
    n = 12
    single = list(_semi(monkeypatch, n, 0, 1, seed=5))
    assert all(isinstance(p, tuple) and len(p) == 2 for p in single)
    assert len({s for _, s in single}) == n  # distinct per position
    assert all(0 <= s < 2**31 for _, s in single)
    for world in (2, 3, 4):
        ranks = [list(_semi(monkeypatch, n, r, world, seed=5))
                 for r in range(world)]
        # position p lives on rank p % world at place p // world
        merged = [ranks[p % world][p // world] for p in range(n)]
        assert merged == single, world


def test_seeds_depend_on_seed_epoch_and_position_only(monkeypatch):
    a = _semi(monkeypatch, 8, seed=1)
    b = _semi(monkeypatch, 8, seed=1)
    assert list(a) == list(b)
    assert list(a) == list(a)  # repeated iteration is stable
    assert sample_seed(1, 0, 3) == sample_seed(1, 0, 3)
    assert len({sample_seed(1, 0, 3), sample_seed(2, 0, 3),
                sample_seed(1, 1, 3), sample_seed(1, 0, 4)}) == 4
    seeds = [s for _, s in a]
    assert seeds == [sample_seed(1, 0, p) for p in range(8)]


def test_set_epoch_changes_permutation_and_seeds(monkeypatch):
    s = _semi(monkeypatch, 20, seed=0)
    e0 = list(s)
    s.set_epoch(1)
    e1 = list(s)
    assert [i for i, _ in e0] != [i for i, _ in e1]
    assert sorted(i for i, _ in e1) == list(range(20))
    assert {x for _, x in e0}.isdisjoint({x for _, x in e1})


@pytest.mark.parametrize('world,rank', [(1, 0), (3, 1)])
def test_skip_yields_exactly_the_suffix_once(monkeypatch, world, rank):
    s = _semi(monkeypatch, 11, rank, world, seed=2)
    s.set_epoch(2)
    full = list(s)
    for k in (0, 1, len(full) - 1, len(full)):
        s.skip(k)
        assert list(s) == full[k:], k
        assert list(s) == full  # the skip applies to one iteration only


def test_skip_validation(monkeypatch):
    s = _semi(monkeypatch, 6, 0, 2, seed=0)
    assert len(s) == 3
    for bad in (-1, 4):
        with pytest.raises(ValueError, match=str(bad)):
            s.skip(bad)


def test_random_seed_when_none_and_registry(monkeypatch):
    _as_rank(monkeypatch, 0, 1)
    s = DATA_SAMPLERS.build(
        dict(type='SemiSampler', dataset=list(range(4)), shuffle=False))
    assert isinstance(s, SemiSampler)
    assert isinstance(s.seed, int)
    assert [i for i, _ in s] == [0, 1, 2, 3]


def test_split_index():
    assert split_index(5) == (5, None)
    assert split_index((5, 17)) == (5, 17)
    assert split_index([2, 3]) == (2, 3)
