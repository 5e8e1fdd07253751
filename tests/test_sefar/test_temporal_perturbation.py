"""Temporal perturbations perturb the time axis (and the official option
the colour axis), in the pipeline and batched on the device."""
import numpy as np
import pytest
import torch

from mmssar.datasets.transforms import TemporalPerturbation
from mmssar.datasets.transforms.temporal_perturbation import perturbed_order
from mmssar.models.data_preprocessors import BatchTemporalPerturbation

FINE = ((3, 7), (1, 5))


def frames(num_clips=1, t=8):
    """Frame i of clip c: channel k holds 100*k + 10*c + i (time and
    channel are both readable from the pixels)."""
    return [
        np.stack([np.full((2, 3), 100 * k + 10 * c + i, np.float32)
                  for k in range(3)], axis=-1)
        for c in range(num_clips) for i in range(t)
    ]


def times_and_channels(imgs, num_clips=1):
    vals = np.array([img[0, 0] for img in imgs])  # (clips*T, C)
    return vals[:, 0] % 100 - 10 * np.repeat(np.arange(num_clips), 8), \
        vals // 100


def test_paper_reverse_swaps_fine_frames_and_keeps_context_and_colour():
    out = TemporalPerturbation()(dict(imgs=frames()))
    times, channels = times_and_channels(out['imgs'])
    np.testing.assert_array_equal(times, [0, 5, 2, 7, 4, 1, 6, 3])
    np.testing.assert_array_equal(channels, np.tile([0, 1, 2], (8, 1)))


def test_reverse_twice_is_the_identity_and_every_clip_is_perturbed():
    t = TemporalPerturbation()
    once = t(dict(imgs=frames(num_clips=2)))['imgs']
    times, _ = times_and_channels(once, 2)
    np.testing.assert_array_equal(times, [0, 5, 2, 7, 4, 1, 6, 3] * 2)
    twice = t(dict(imgs=once))['imgs']
    for a, b in zip(twice, frames(num_clips=2)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize('scope,expect', [
    ('elements', [6, 5, 4, 7, 2, 1, 0, 3]),
    ('clip', [7, 6, 5, 4, 3, 2, 1, 0]),
])
def test_reverse_scopes(scope, expect):
    out = TemporalPerturbation(scope=scope)(dict(imgs=frames()))
    np.testing.assert_array_equal(times_and_channels(out['imgs'])[0], expect)


@pytest.mark.parametrize('mode', ['shuffle', 'warp'])
def test_random_modes_stay_inside_their_groups(mode):
    torch.manual_seed(0)
    changed = False
    for _ in range(30):
        order = perturbed_order(mode, FINE, 8).tolist()
        for pos in (0, 2, 4, 6):
            assert order[pos] == pos
        for group in FINE:
            assert {order[p] for p in group} <= set(group)
            if mode == 'warp':  # monotone re-timing
                assert order[group[0]] <= order[group[1]]
        changed |= order != list(range(8))
    assert changed


def test_official_channel_flip_perturbs_colour_not_time():
    out = TemporalPerturbation(mode='channel_flip')(dict(imgs=frames()))
    times, channels = times_and_channels(out['imgs'])
    np.testing.assert_array_equal(times, np.arange(8))
    for pos in range(8):
        expect = [2, 1, 0] if pos in (1, 3, 5, 7) else [0, 1, 2]
        np.testing.assert_array_equal(channels[pos], expect)


def test_channel_dropout_zeroes_whole_element_channels_around_center():
    torch.manual_seed(1)
    t = TemporalPerturbation(mode='channel_flip', channel_dropout=0.5,
                             dropout_center=50.)
    imgs = t(dict(imgs=frames()))['imgs']
    vals = np.array([img[0, 0] for img in imgs])
    dropped = vals == 50.
    # one draw per element and channel: equal inside each element
    for group in ((3, 7), (1, 5), (0, 2, 4, 6)):
        assert (dropped[list(group)] == dropped[group[0]]).all()
    assert dropped.any() and not dropped.all()
    kept = ~dropped
    raw = np.array([f[0, 0] for f in frames()])
    raw[[1, 3, 5, 7]] = raw[[1, 3, 5, 7]][:, ::-1]
    np.testing.assert_allclose(vals[kept], 50. + (raw[kept] - 50.) * 2.)


def test_pipeline_refuses_wrong_clip_length():
    with pytest.raises(ValueError, match='8 frames'):
        TemporalPerturbation()(dict(imgs=frames()[:6], filename='x.mp4'))


# ----------------------------------------------------------- batched
def clip_batch(n=2, clips=1):
    """(N, clips, C, T, H, W): value 100*c + t (+ 1000 * sample)."""
    t = torch.arange(8).view(1, 1, 1, 8, 1, 1)
    c = torch.arange(3).view(1, 1, 3, 1, 1, 1)
    s = torch.arange(n).view(n, 1, 1, 1, 1, 1)
    return (1000 * s + 100 * c + t).float().expand(n, clips, 3, 8, 4, 4) \
        .contiguous()


def test_batched_reverse_permutes_the_time_axis_only():
    x = clip_batch(clips=2)
    y = BatchTemporalPerturbation()(x)
    assert y.shape == x.shape
    np.testing.assert_array_equal(
        y[1, 1, 2, :, 0, 0].numpy(),
        1000 + 200 + np.array([0, 5, 2, 7, 4, 1, 6, 3]))
    # flipping the colour axis instead would break this
    assert torch.equal(y[:, :, :, [0, 2, 4, 6]], x[:, :, :, [0, 2, 4, 6]])


def test_batched_matches_pipeline_for_deterministic_modes():
    imgs = frames()
    piped = TemporalPerturbation(scope='elements')(dict(imgs=imgs))['imgs']
    piped = torch.from_numpy(np.stack(piped))  # (T, H, W, C)
    x = torch.from_numpy(np.stack(imgs)).permute(3, 0, 1, 2)[None, None]
    y = BatchTemporalPerturbation(scope='elements')(x)
    assert torch.equal(y[0, 0].permute(1, 2, 3, 0), piped)


def test_batched_nchw_layout_perturbs_segments():
    x = clip_batch()[:, 0].permute(0, 2, 1, 3, 4)  # (N, T, C, H, W)
    y = BatchTemporalPerturbation(format_shape='NCHW')(x)
    np.testing.assert_array_equal(y[0, :, 0, 0, 0].numpy(),
                                  [0, 5, 2, 7, 4, 1, 6, 3])


def test_batched_shuffle_draws_per_sample():
    torch.manual_seed(0)
    x = clip_batch(n=16)
    y = BatchTemporalPerturbation(mode='shuffle', scope='clip')(x)
    orders = {tuple((y[i, 0, 0, :, 0, 0] - 1000 * i).tolist())
              for i in range(16)}
    assert len(orders) > 1
    assert torch.equal(y.sort(dim=3).values, x)  # a permutation of time


def test_batched_official_flip_and_dropout():
    x = clip_batch()
    y = BatchTemporalPerturbation(mode='channel_flip')(x)
    assert torch.equal(y[:, :, :, [1, 3, 5, 7]],
                       x[:, :, :, [1, 3, 5, 7]].flip(2))
    assert torch.equal(y[:, :, :, [0, 2, 4, 6]], x[:, :, :, [0, 2, 4, 6]])
    torch.manual_seed(0)
    big = clip_batch(n=64)
    z = BatchTemporalPerturbation(mode='channel_flip', channel_dropout=0.2,
                                  dropout_center=10.)(big)
    dropped = (z[:, 0, :, :, 0, 0] == 10.)  # (N, C, T)
    assert 0.1 < dropped[:, :, 0].float().mean() < 0.3
    # element {1, 5} shares one draw per channel
    assert torch.equal(dropped[:, :, 1], dropped[:, :, 5])


def test_batched_refuses_wrong_frames():
    with pytest.raises(ValueError, match='expects 8 frames'):
        BatchTemporalPerturbation()(torch.zeros(1, 1, 3, 6, 4, 4))
