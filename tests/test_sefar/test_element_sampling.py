"""SeFAR element groups: the greedy layout, the sampler, one decode."""
import numpy as np
import pytest
from mmengine.registry import DefaultScope

from mmssar.datasets.transforms import ElementGroupSample, MultiView
from mmssar.datasets.transforms.element_group_sample import element_groups


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


@pytest.mark.parametrize('sizes,groups', [
    ((2, 2, 4), ((3, 7), (1, 5), (0, 2, 4, 6))),
    ((4, 6), ((1, 3, 6, 8), (0, 2, 4, 5, 7, 9))),
    ((2, 2, 2, 2), ((3, 7), (2, 6), (1, 5), (0, 4))),
])
def test_greedy_layout_matches_the_official_assignment(sizes, groups):
    assert element_groups(sizes) == groups
    flat = sorted(p for g in groups for p in g)
    assert flat == list(range(sum(sizes)))  # disjoint, covering


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match='positive'):
        element_groups((2, 0))


@pytest.mark.parametrize('total', [8, 16, 33, 100])
def test_each_frame_lies_in_its_segment(total):
    sampler = ElementGroupSample()
    seg = (total - 1) / 8
    for seed in range(20):
        np.random.seed(seed)
        out = sampler(dict(total_frames=total, start_index=0))
        inds = out['frame_inds']
        assert len(inds) == 8 and out['num_clips'] == 1
        for j, i in enumerate(inds):
            assert round(seg * j) <= i <= round(seg * (j + 1))
        assert out['element_groups'] == ((3, 7), (1, 5), (0, 2, 4, 6))


def test_test_mode_gives_num_clips_views():
    out = ElementGroupSample(num_clips=3, test_mode=True)(
        dict(total_frames=64, start_index=0))
    inds = out['frame_inds'].reshape(3, 8)
    assert out['num_clips'] == 3
    assert (np.diff(inds, axis=1) > 0).all()  # each view in time order
    assert len({tuple(r) for r in inds}) == 3  # distinct offsets


def test_empty_video_is_named():
    with pytest.raises(ValueError, match='a.mp4'):
        ElementGroupSample()(dict(total_frames=0, start_index=0,
                                  filename='a.mp4'))


def test_weak_and_strong_views_from_one_decode():
    """Strong = weak with the fine elements reversed: same decoded frames."""
    decodes = []

    def decode(results):
        decodes.append(1)
        results['imgs'] = [
            np.full((4, 4, 3), i, np.uint8) for i in results['frame_inds']
        ]
        return results

    views = MultiView(
        views=dict(
            weak=[dict(type='FormatShape', input_format='NCTHW'),
                  dict(type='PackActionInputs')],
            strong=[dict(type='TemporalPerturbation'),
                    dict(type='FormatShape', input_format='NCTHW'),
                    dict(type='PackActionInputs')]))
    results = ElementGroupSample()(dict(total_frames=80, start_index=0))
    out = views(decode(results))
    assert len(decodes) == 1
    weak = out['inputs']['weak'][0, 0, :, 0, 0].numpy()
    strong = out['inputs']['strong'][0, 0, :, 0, 0].numpy()
    expect = weak[[0, 5, 2, 7, 4, 1, 6, 3]]
    np.testing.assert_array_equal(strong, expect)
