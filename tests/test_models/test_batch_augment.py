import numpy as np
import pytest
import torch

from mmssar.datasets.transforms import VideoRandAugment
from mmssar.utils.randaugment_ops import RANDAUG_OPS
from mmssar.models.data_preprocessors.batch_augment import \
    BatchVideoRandAugment
from mmssar.registry import MODELS


def repeated_frames(n, repeats, h=16, w=20, seed=0):
    """(n, repeats, 3, h, w): every sample repeats one random frame."""
    g = torch.Generator().manual_seed(seed)
    frames = torch.randint(0, 256, (n, 1, 3, h, w), generator=g).float()
    return frames.expand(n, repeats, 3, h, w).contiguous()


LAYOUTS = {
    # name: (format_shape, builder from (N, F, 3, H, W) units, F)
    'NCTHW-6d': ('NCTHW', lambda u: u.view(u.shape[0], 2, 3, 3, *u.shape[3:])
                 .permute(0, 1, 3, 2, 4, 5), 6),
    'NCTHW-5d': ('NCTHW', lambda u: u.permute(0, 2, 1, 3, 4), 4),
    'NCHW-5d': ('NCHW', lambda u: u, 8),
    'NCHW-4d': ('NCHW', lambda u: u[:, 0], 1),
}


def frames_of(x, layout):
    """Back to (N, F, 3, H, W) for checking."""
    if layout == 'NCTHW-6d':
        return x.permute(0, 1, 3, 2, 4, 5).reshape(x.shape[0], -1,
                                                   *x.shape[2:3],
                                                   *x.shape[-2:])
    if layout == 'NCTHW-5d':
        return x.permute(0, 2, 1, 3, 4)
    if layout == 'NCHW-4d':
        return x[:, None]
    return x


@pytest.mark.parametrize('layout', list(LAYOUTS))
def test_layouts_share_ops_within_a_sample(layout):
    format_shape, build, num_frames = LAYOUTS[layout]
    aug = BatchVideoRandAugment(
        num_ops=3, magnitude=9, magnitude_std=1., cutout=0.3,
        format_shape=format_shape)
    units = repeated_frames(6, num_frames)
    x = build(units)
    torch.manual_seed(0)
    out = aug(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    frames = frames_of(out, layout)
    assert torch.equal(frames, frames[:, :1].expand_as(frames))
    assert not torch.equal(out, x)


def test_different_samples_draw_different_ops():
    aug = BatchVideoRandAugment(num_ops=1, ops=['Identity', 'Solarize'])
    x = repeated_frames(16, 4).permute(0, 2, 1, 3, 4)  # (N, C, T, H, W)
    torch.manual_seed(3)
    out = aug(x)
    kept = (out == x).flatten(1).all(1)
    inverted = (out == 255 - x).flatten(1).all(1)
    assert (kept | inverted).all()
    assert kept.any() and inverted.any()
    op_idx, _ = aug.sample_params(16, torch.Generator().manual_seed(1))
    assert op_idx.shape == (16, 1)


@pytest.mark.parametrize('op', [
    op for op in RANDAUG_OPS if op not in ('AutoContrast', 'Equalize')
])
def test_magnitude_zero_is_identity(op):
    aug = BatchVideoRandAugment(num_ops=2, magnitude=0, ops=[op])
    x = torch.randint(0, 256, (3, 3, 4, 12, 12)).float()
    torch.manual_seed(0)
    assert torch.allclose(aug(x), x, atol=1e-3)


@pytest.mark.parametrize('op', RANDAUG_OPS)
def test_each_op_runs_on_mixed_batches(op):
    aug = BatchVideoRandAugment(num_ops=2, ops=[op, 'Identity'])
    x = torch.randint(0, 256, (5, 1, 3, 4, 12, 14)).float()
    torch.manual_seed(1)
    out = aug(x)
    assert out.shape == x.shape
    assert out.min() >= 0 and out.max() <= 255


def test_translate_shifts_all_frames_of_a_sample_equally():
    aug = BatchVideoRandAugment(num_ops=1, magnitude=10, ops=['TranslateX'],
                                fill=0.)
    x = torch.randint(1, 256, (8, 3, 5, 10, 20)).float()
    torch.manual_seed(0)
    out = aug(x)
    shift = round(0.45 * 20)
    signs = set()
    for i in range(8):
        if torch.allclose(out[i, ..., shift:], x[i, ..., :-shift], atol=1e-3):
            signs.add(1)
            assert (out[i, ..., :shift].abs() < 1e-3).all()
        else:
            assert torch.allclose(
                out[i, ..., :-shift], x[i, ..., shift:], atol=1e-3)
            signs.add(-1)
    assert signs == {1, -1}


def test_matches_the_pipeline_transform():
    """Same op family: exact for translate/solarize/posterize, close else."""
    rng = np.random.default_rng(0)
    clip = rng.integers(0, 256, (4, 16, 24, 3), dtype=np.uint8)
    cpu = VideoRandAugment()
    batch = BatchVideoRandAugment()
    units = torch.from_numpy(clip).permute(0, 3, 1, 2)[None].float()
    cases = [('TranslateY', -0.45, 1e-3), ('Solarize', 0.6, 0),
             ('Posterize', 3., 0), ('Brightness', 0.5, 1),
             ('Contrast', -0.5, 1), ('Color', 0.7, 1), ('Equalize', 0., 0),
             ('Sharpness', 0.7, 1), ('AutoContrast', 0., 1),
             ('Rotate', 20., 64)]
    for op, value, tol in cases:
        expected = cpu.apply_op(clip, op, value).astype(np.float32)
        got = batch.apply_op(units, op, torch.tensor([value],
                                                     dtype=torch.float64))
        got = got[0].permute(0, 2, 3, 1).numpy()
        if op == 'Rotate':  # interpolation differs only slightly
            assert np.abs(got - expected).mean() < 2, op
        else:
            assert np.abs(got - expected).max() <= tol, op


def test_seeding_and_generator():
    aug = BatchVideoRandAugment(magnitude_std=0.5, cutout=0.2)
    x = torch.randint(0, 256, (4, 1, 3, 4, 16, 16)).float()
    torch.manual_seed(5)
    a = aug(x)
    torch.manual_seed(5)
    b = aug(x)
    assert torch.equal(a, b)
    c = aug(x, generator=torch.Generator().manual_seed(9))
    d = aug(x, generator=torch.Generator().manual_seed(9))
    assert torch.equal(c, d)
    outs = [aug(x) for _ in range(4)]
    assert any(not torch.equal(outs[0], o) for o in outs[1:])


def test_integer_input_and_value_range():
    x8 = torch.randint(0, 256, (2, 3, 4, 8, 8), dtype=torch.uint8)
    aug = BatchVideoRandAugment(ops=['Solarize', 'Brightness'])
    torch.manual_seed(0)
    out8 = aug(x8)
    assert out8.dtype == torch.uint8 and out8.shape == x8.shape
    # The same draws on [0, 1] data give the same result, scaled.
    aug01 = BatchVideoRandAugment(ops=['Solarize', 'Brightness'],
                                  value_range=1.)
    torch.manual_seed(0)
    out01 = aug01(x8.float() / 255.)
    assert torch.allclose(out01 * 255., out8.float(), atol=0.51)


def test_registry_and_errors():
    aug = MODELS.build(dict(type='BatchVideoRandAugment', num_ops=1))
    assert isinstance(aug, BatchVideoRandAugment)
    with pytest.raises(ValueError, match='NCTHW'):
        aug(torch.zeros(2, 3, 8, 8))
    with pytest.raises(ValueError, match='3 colour'):
        aug(torch.zeros(2, 2, 4, 8, 8))
    with pytest.raises(ValueError, match='unknown ops'):
        BatchVideoRandAugment(ops=['Blur'])


def test_invert_and_cutout_ops():
    x = repeated_frames(3, 4, h=20, w=20)  # (N, F, 3, H, W) as NCHW-5d
    out = BatchVideoRandAugment(num_ops=1, ops=['Invert'],
                                format_shape='NCHW')(x)
    torch.testing.assert_close(out, 255. - x)
    out = BatchVideoRandAugment(num_ops=1, magnitude=10, ops=['Cutout'],
                                fill=7., format_shape='NCHW')(
                                    x, torch.Generator().manual_seed(0))
    painted = (out != x).any(2)  # (N, F, H, W)
    for i in range(3):
        assert painted[i].any() and (painted[i] == painted[i, :1]).all()
        ys, xs = torch.nonzero(painted[i, 0], as_tuple=True)
        # a square of 0.2 * H at magnitude 10, clipped at the borders
        assert ys.max() - ys.min() + 1 <= 4 and xs.max() - xs.min() + 1 <= 4
    assert (out[painted[:, :, None].expand_as(out)] == 7.).all()
