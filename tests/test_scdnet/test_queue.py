"""FeatureQueue: FIFO order, pointer arithmetic, wrap-around, state_dict."""
import pytest
import torch

from mmssar.models.selfsup import FeatureQueue


def test_initial_state_is_unit_norm_and_ptr_zero():
    q = FeatureQueue(10, 4)
    assert q.queue.shape == (10, 4)
    torch.testing.assert_close(q.queue.norm(dim=1), torch.ones(10))
    assert int(q.ptr) == 0
    assert set(dict(q.named_buffers())) == {'queue', 'ptr'}


def test_enqueue_order_pointer_and_wraparound():
    torch.manual_seed(0)
    q = FeatureQueue(10, 4)
    init = q.queue.clone()
    a = torch.randn(4, 4)
    q.enqueue(a)
    assert int(q.ptr) == 4
    torch.testing.assert_close(q.queue[:4], a)
    torch.testing.assert_close(q.queue[4:], init[4:])

    b = torch.randn(4, 4)
    q.enqueue(b)
    assert int(q.ptr) == 8
    torch.testing.assert_close(q.queue[4:8], b)

    c = torch.randn(4, 4)  # wraps: slots 8, 9, 0, 1
    q.enqueue(c)
    assert int(q.ptr) == (12 % 10)
    torch.testing.assert_close(q.queue[8:10], c[:2])
    torch.testing.assert_close(q.queue[0:2], c[2:])
    torch.testing.assert_close(q.queue[2:4], a[2:])  # survivors of a


def test_enqueue_more_than_size_keeps_newest():
    q = FeatureQueue(5, 2)
    q.enqueue(torch.zeros(3, 2))  # ptr 3
    keys = torch.arange(24, dtype=torch.float32).view(12, 2)
    q.enqueue(keys)
    assert int(q.ptr) == (3 + 12) % 5
    # key i would sit at (3 + i) % 5; the last 5 keys win
    for i in range(7, 12):
        torch.testing.assert_close(q.queue[(3 + i) % 5], keys[i])


def test_bad_shape_raises():
    q = FeatureQueue(8, 4)
    with pytest.raises(ValueError, match=r'\(n, 4\)'):
        q.enqueue(torch.randn(2, 3))


def test_state_dict_round_trip():
    torch.manual_seed(1)
    q = FeatureQueue(6, 3)
    q.enqueue(torch.randn(4, 3))
    state = q.state_dict()
    fresh = FeatureQueue(6, 3)
    assert not torch.equal(fresh.queue, q.queue)
    fresh.load_state_dict(state)
    torch.testing.assert_close(fresh.queue, q.queue)
    assert int(fresh.ptr) == 4
    # resumed queue continues where the saved one stopped
    k = torch.randn(2, 3)
    fresh.enqueue(k)
    assert int(fresh.ptr) == 0
    torch.testing.assert_close(fresh.queue[4:6], k)
