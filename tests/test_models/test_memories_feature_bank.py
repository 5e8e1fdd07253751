"""FeatureBank: FIFO order, wrap-around, fields, valid entries, state_dict."""
import pytest
import torch
from mmengine.registry import DefaultScope

from mmssar.models.memories import FeatureBank
from mmssar.registry import MODELS


def _entries(start, n, dim=2):
    """n recognisable entries: feature rows start.., labels, confidences."""
    idx = torch.arange(start, start + n)
    return dict(
        features=idx[:, None].float().repeat(1, dim),
        labels=idx % 3,
        confidences=idx.float() / 100)


def test_registered_and_state_in_buffers():
    with DefaultScope.overwrite_default_scope('mmssar'):
        bank = MODELS.build(dict(type='FeatureBank', size=4, dim=3))
    assert isinstance(bank, FeatureBank)
    assert set(dict(bank.named_buffers())) == {
        'features', 'labels', 'confidences', 'ptr', 'num_valid'
    }
    assert list(bank.parameters()) == []
    assert len(bank) == 0 and not bank.is_full
    assert (bank.labels == -1).all()  # unwritten slots
    assert bank.valid_entries()['features'].shape == (0, 3)


def test_fifo_order_pointer_and_wraparound():
    bank = FeatureBank(5, 2)
    bank.push(**_entries(0, 3))
    assert int(bank.ptr) == 3 and len(bank) == 3 and not bank.is_full
    valid = bank.valid_entries()
    torch.testing.assert_close(valid['features'], _entries(0, 3)['features'])
    torch.testing.assert_close(valid['labels'], torch.tensor([0, 1, 2]))

    bank.push(**_entries(3, 4))  # entries 3..6 -> slots 3, 4, 0, 1
    assert int(bank.ptr) == 2 and len(bank) == 5 and bank.is_full
    torch.testing.assert_close(bank.features[:, 0],
                               torch.tensor([5., 6., 2., 3., 4.]))
    torch.testing.assert_close(bank.labels, torch.tensor([2, 0, 2, 0, 1]))
    torch.testing.assert_close(bank.confidences,
                               torch.tensor([.05, .06, .02, .03, .04]))
    # oldest first: entries 2..6
    ordered = bank.valid_entries(ordered=True)
    torch.testing.assert_close(ordered['features'][:, 0],
                               torch.arange(2., 7.))
    torch.testing.assert_close(ordered['labels'], torch.arange(2, 7) % 3)


def test_push_more_than_size_keeps_newest():
    bank = FeatureBank(5, 2)
    bank.push(**_entries(0, 3))  # ptr 3
    bank.push(**_entries(3, 12))  # entries 3..14
    assert int(bank.ptr) == (3 + 12) % 5 and len(bank) == 5
    ordered = bank.valid_entries(ordered=True)
    torch.testing.assert_close(ordered['features'][:, 0],
                               torch.arange(10., 15.))
    # entry i sits in slot i % 5 (the bank started at slot 0)
    for i in range(10, 15):
        assert bank.features[i % 5, 0] == i


def test_empty_push_is_a_no_op_and_bad_input_is_named():
    bank = FeatureBank(4, 2)
    bank.push(**_entries(0, 0))
    assert len(bank) == 0 and int(bank.ptr) == 0
    with pytest.raises(ValueError, match=r'\(N, 2\)'):
        bank.push(torch.zeros(2, 3), labels=torch.zeros(2, dtype=torch.long),
                  confidences=torch.zeros(2))
    with pytest.raises(KeyError, match="missing \\['confidences'\\]"):
        bank.push(torch.zeros(2, 2), labels=torch.zeros(2, dtype=torch.long))
    with pytest.raises(KeyError, match="unknown \\['index'\\]"):
        bank.push(torch.zeros(2, 2), labels=torch.zeros(2, dtype=torch.long),
                  confidences=torch.zeros(2), index=torch.zeros(2))
    with pytest.raises(ValueError, match="'labels' must be \\(2,\\)"):
        bank.push(torch.zeros(2, 2), labels=torch.zeros(3, dtype=torch.long),
                  confidences=torch.zeros(2))
    with pytest.raises(ValueError, match='dtype'):
        FeatureBank(4, 2, fields=dict(labels='int8'))
    with pytest.raises(ValueError, match='cannot name a field'):
        FeatureBank(4, 2, fields=dict(ptr='long'))
    with pytest.raises(ValueError, match='init'):
        FeatureBank(4, 2, init='gaussian')


def test_custom_fields_and_dtype_casting():
    bank = FeatureBank(3, 2, fields=dict(indices='long', reliable='bool'))
    assert set(bank.fields) == {'indices', 'reliable'}
    bank.push(torch.ones(2, 2, dtype=torch.float64),
              indices=torch.tensor([7, 9], dtype=torch.int32),
              reliable=torch.tensor([True, False]))
    valid = bank.valid_entries()
    assert valid['features'].dtype == torch.float32
    assert valid['indices'].dtype == torch.long
    torch.testing.assert_close(valid['indices'], torch.tensor([7, 9]))
    torch.testing.assert_close(valid['reliable'], torch.tensor([True, False]))


def test_random_unit_init_is_full_queue():
    torch.manual_seed(0)
    bank = FeatureBank(6, 4, fields={}, init='random_unit')
    assert bank.is_full and int(bank.ptr) == 0
    torch.testing.assert_close(bank.features.norm(dim=1), torch.ones(6))
    init = bank.features.clone()
    keys = torch.randn(4, 4)
    bank.push(keys)
    torch.testing.assert_close(bank.features[:4], keys)
    torch.testing.assert_close(bank.features[4:], init[4:])
    assert len(bank) == 6
    bank.reset()
    assert int(bank.ptr) == 0 and bank.is_full
    assert not torch.equal(bank.features[:4], keys)


def test_state_dict_round_trip_reproduces_later_pushes():
    bank = FeatureBank(5, 2)
    bank.push(**_entries(0, 4))
    fresh = FeatureBank(5, 2)
    fresh.load_state_dict(bank.state_dict())
    for start, n in ((4, 3), (7, 2), (9, 6)):  # wraps twice
        bank.push(**_entries(start, n))
        fresh.push(**_entries(start, n))
        for name, value in bank.state_dict().items():
            assert torch.equal(fresh.state_dict()[name], value), name
    assert int(fresh.ptr) == 15 % 5 and fresh.is_full


def test_moves_with_to():
    bank = FeatureBank(3, 2).to(torch.float64)
    assert bank.features.dtype == torch.float64
    assert bank.labels.dtype == torch.long  # integer buffers untouched
    bank.push(torch.ones(1, 2), labels=torch.tensor([1]),
              confidences=torch.tensor([0.5]))
    assert bank.features.dtype == torch.float64 and len(bank) == 1
