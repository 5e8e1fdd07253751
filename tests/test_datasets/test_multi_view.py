"""MultiView: one decode, independent views, packed multi-view output."""
import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform
from mmengine.registry import DefaultScope

from mmssar.registry import TRANSFORMS

CALLS = []


@pytest.fixture(autouse=True)
def mmssar_scope():
    # mmcv's Compose builds from the root registry, which finds mmssar and
    # mmaction transforms through the default scope (as in a Runner)
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


@TRANSFORMS.register_module(name='_TestCountingDecode', force=True)
class _TestCountingDecode(BaseTransform):
    """Stands in for decoding: counts calls, creates the frames."""

    def transform(self, results):
        CALLS.append(results['filename'])
        rng = np.random.default_rng(0)
        results['imgs'] = list(
            rng.integers(0, 200, size=(4, 8, 8, 3)).astype(np.float32))
        results['num_clips'] = 1
        results['clip_len'] = 4
        return results


@TRANSFORMS.register_module(name='_TestAddInPlace', force=True)
class _TestAddInPlace(BaseTransform):
    """Modifies the frames in place, as careless transforms do."""

    def __init__(self, value):
        self.value = value

    def transform(self, results):
        for img in results['imgs']:
            img += self.value
        results.setdefault('added', []).append(self.value)
        return results


@TRANSFORMS.register_module(name='_TestDrop', force=True)
class _TestDrop(BaseTransform):

    def transform(self, results):
        return None


PACK = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]


def _multi_view(views, shared=None):
    return TRANSFORMS.build(
        dict(
            type='MultiView',
            shared=shared or [dict(type='_TestCountingDecode')],
            views=views))


def _input():
    return dict(filename='clip.mp4', label=1)


def _frames():
    rng = np.random.default_rng(0)
    clip = rng.integers(0, 200, size=(4, 8, 8, 3)).astype(np.float32)
    # NCTHW with one clip: (1, C, T, H, W)
    return torch.from_numpy(clip.transpose(3, 0, 1, 2)[None].copy())


def test_one_decode_and_packed_views():
    CALLS.clear()
    mv = _multi_view(dict(weak=PACK, strong=PACK, extra=PACK))
    out = mv(_input())
    assert CALLS == ['clip.mp4']
    assert set(out) == {'inputs', 'data_samples'}
    assert list(out['inputs']) == ['weak', 'strong', 'extra']
    for tensor in out['inputs'].values():
        assert tensor.shape == (1, 3, 4, 8, 8)
        torch.testing.assert_close(tensor, _frames())
    assert isinstance(out['data_samples'], ActionDataSample)
    assert out['data_samples'].gt_label.item() == 1


@pytest.mark.parametrize('order', [('weak', 'strong'), ('strong', 'weak')])
def test_views_get_independent_copies(order):
    views = dict(
        weak=[dict(type='_TestAddInPlace', value=1.0)] + PACK,
        strong=[dict(type='_TestAddInPlace', value=100.0)] + PACK)
    mv = _multi_view({name: views[name] for name in order})
    out = mv(_input())
    ref = _frames()
    torch.testing.assert_close(out['inputs']['weak'], ref + 1.0)
    torch.testing.assert_close(out['inputs']['strong'], ref + 100.0)
    # the views do not share memory either
    out['inputs']['weak'].add_(5.0)
    torch.testing.assert_close(out['inputs']['strong'], ref + 100.0)


def test_shared_augmentation_is_common_to_all_views():
    mv = _multi_view(
        dict(weak=PACK, strong=[dict(type='_TestAddInPlace', value=3.)] +
             PACK),
        shared=[
            dict(type='_TestCountingDecode'),
            dict(type='_TestAddInPlace', value=10.0)
        ])
    out = mv(_input())
    torch.testing.assert_close(out['inputs']['weak'], _frames() + 10.0)
    torch.testing.assert_close(out['inputs']['strong'], _frames() + 13.0)


def test_view_without_pack_is_an_error_naming_the_view():
    mv = _multi_view(
        dict(weak=PACK, strong=[dict(type='FormatShape',
                                     input_format='NCTHW')]))
    with pytest.raises(KeyError, match='strong.*PackActionInputs'):
        mv(_input())


def test_no_views_is_refused():
    with pytest.raises(ValueError, match='at least one view'):
        TRANSFORMS.build(dict(type='MultiView', views=dict()))


def test_dropped_sample_propagates_none():
    assert _multi_view(dict(weak=PACK),
                       shared=[dict(type='_TestDrop')])(_input()) is None
    assert _multi_view(dict(weak=[dict(type='_TestDrop')] + PACK,
                            strong=PACK))(_input()) is None


def test_repr_lists_views():
    mv = _multi_view(dict(weak=PACK, strong=PACK))
    assert "['weak', 'strong']" in repr(mv)
