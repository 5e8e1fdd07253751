import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from mmssar.datasets.transforms import VideoRandAugment
from mmssar.datasets.transforms.video_randaugment import (RANDAUG_OPS,
                                                          equalize_lut)
from mmssar.registry import TRANSFORMS

MAGNITUDE_OPS = [
    op for op in RANDAUG_OPS if op not in ('AutoContrast', 'Equalize')
]


def random_clip(t=4, h=24, w=32, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(t)]


@pytest.mark.parametrize('op', RANDAUG_OPS)
def test_each_op_keeps_shape_dtype_and_container(op):
    np.random.seed(1)
    clip = random_clip()
    aug = VideoRandAugment(num_ops=2, ops=[op], cutout=0.3)
    out = aug(dict(imgs=list(clip)))['imgs']
    assert isinstance(out, list) and len(out) == len(clip)
    for frame in out:
        assert frame.shape == clip[0].shape and frame.dtype == np.uint8
    # Array input stays an array.
    arr = aug(dict(imgs=np.stack(clip)))['imgs']
    assert isinstance(arr, np.ndarray) and arr.shape == (4, 24, 32, 3)


@pytest.mark.parametrize('seed', range(8))
def test_identical_frames_stay_identical(seed):
    """The same ops and magnitudes hit every frame (no flicker)."""
    np.random.seed(seed)
    frame = random_clip(t=1, seed=seed)[0]
    aug = VideoRandAugment(num_ops=3, magnitude=9, magnitude_std=1.,
                           cutout=0.4)
    out = aug(dict(imgs=[frame.copy() for _ in range(6)]))['imgs']
    for other in out[1:]:
        np.testing.assert_array_equal(other, out[0])


def test_every_op_is_one_function_of_the_frame():
    """Frames equal in the input are equal in the output, whatever op."""
    a, b = random_clip(t=2, seed=3)
    for i, op in enumerate(RANDAUG_OPS):
        np.random.seed(i)
        out = VideoRandAugment(num_ops=1, ops=[op])(
            dict(imgs=[a, b, a.copy(), b.copy()]))['imgs']
        np.testing.assert_array_equal(out[0], out[2], err_msg=op)
        np.testing.assert_array_equal(out[1], out[3], err_msg=op)


@pytest.mark.parametrize('op', MAGNITUDE_OPS)
def test_magnitude_zero_is_identity(op):
    np.random.seed(0)
    clip = random_clip()
    out = VideoRandAugment(num_ops=2, magnitude=0, ops=[op])(
        dict(imgs=list(clip)))['imgs']
    np.testing.assert_array_equal(np.stack(out), np.stack(clip))


@pytest.mark.parametrize('op,axis', [('TranslateX', 2), ('TranslateY', 1)])
def test_translate_shifts_every_frame_by_the_same_amount(op, axis):
    clip = np.stack(random_clip(t=5, h=20, w=40, seed=7))
    seen_signs = set()
    for seed in range(6):
        np.random.seed(seed)
        out = np.stack(
            VideoRandAugment(num_ops=1, magnitude=5, ops=[op], fill=7)(
                dict(imgs=list(clip)))['imgs'])
        size = clip.shape[axis]
        shift = round(0.45 * 0.5 * size)  # magnitude 5 of 10
        src = [slice(None)] * 4
        dst = [slice(None)] * 4
        hole = [slice(None)] * 4
        if np.array_equal(
                np.take(out, range(shift, size), axis),
                np.take(clip, range(0, size - shift), axis)):
            seen_signs.add(1)
            dst[axis], src[axis] = slice(shift, None), slice(None, -shift)
            hole[axis] = slice(None, shift)
        else:
            seen_signs.add(-1)
            dst[axis], src[axis] = slice(None, -shift), slice(shift, None)
            hole[axis] = slice(size - shift, None)
        np.testing.assert_array_equal(out[tuple(dst)], clip[tuple(src)])
        assert (out[tuple(hole)] == 7).all()
    assert seen_signs == {1, -1}, 'the shift direction must be random'


def test_seeded_global_rng_is_deterministic():
    clip = random_clip(t=3, seed=4)
    aug = VideoRandAugment(num_ops=2, magnitude=9, magnitude_std=0.5,
                           cutout=0.2)

    def run(seed):
        np.random.seed(seed)
        return np.stack(aug(dict(imgs=list(clip)))['imgs'])

    np.testing.assert_array_equal(run(11), run(11))
    outs = [run(s) for s in range(6)]
    assert any(not np.array_equal(outs[0], o) for o in outs[1:])


def test_sample_ops_draws_within_configuration():
    np.random.seed(0)
    aug = VideoRandAugment(num_ops=3, magnitude=10, ops=['Rotate', 'Color'])
    for _ in range(50):
        drawn = aug.sample_ops()
        assert len(drawn) == 3
        for op, value in drawn:
            assert op in ('Rotate', 'Color')
            assert abs(value) == pytest.approx(30. if op == 'Rotate' else .9)


def test_solarize_posterize_at_full_magnitude():
    clip = random_clip(t=2)
    np.random.seed(0)
    out = VideoRandAugment(num_ops=1, ops=['Solarize'])(
        dict(imgs=list(clip)))['imgs']
    np.testing.assert_array_equal(np.stack(out), 255 - np.stack(clip))
    out = VideoRandAugment(num_ops=1, ops=['Posterize'])(
        dict(imgs=list(clip)))['imgs']
    np.testing.assert_array_equal(np.stack(out), np.stack(clip) & 0xF0)


def test_autocontrast_and_equalize_pool_over_the_clip():
    # A dark frame and a bright one: pooled stats stretch the clip as a whole.
    dark = np.full((8, 8, 3), 50, np.uint8)
    bright = np.full((8, 8, 3), 100, np.uint8)
    out = np.stack(
        VideoRandAugment(num_ops=1, ops=['AutoContrast'])(
            dict(imgs=[dark, bright]))['imgs'])
    assert (out[0] == 0).all() and (out[1] == 255).all()
    # Equalising a clip with a flat histogram is the identity.
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, -1)
    out = VideoRandAugment(num_ops=1, ops=['Equalize'])(
        dict(imgs=[ramp, ramp]))['imgs']
    np.testing.assert_array_equal(out[0], ramp)
    # Single-valued histogram: identity LUT.
    hist = np.zeros((1, 256), np.int64)
    hist[0, 9] = 100
    np.testing.assert_array_equal(equalize_lut(hist)[0], np.arange(256))


def test_cutout_box_is_shared_by_all_frames():
    np.random.seed(5)
    clip = random_clip(t=3, h=30, w=30)
    out = np.stack(
        VideoRandAugment(num_ops=1, ops=['Identity'], cutout=0.5, fill=3)(
            dict(imgs=list(clip)))['imgs'])
    painted = (out != np.stack(clip)).any(-1)
    assert painted.any()
    assert (painted == painted[0]).all()
    assert (out[np.broadcast_to(painted[..., None], out.shape)] == 3).all()


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match='unknown ops'):
        VideoRandAugment(ops=['Rotate', 'Blur'])
    with pytest.raises(ValueError, match='magnitude'):
        VideoRandAugment(magnitude=11)
    aug = VideoRandAugment()
    with pytest.raises(ValueError, match='FormatShape'):
        aug(dict(imgs=np.zeros((1, 3, 4, 8, 8), np.uint8)))
    with pytest.raises(ValueError, match='uint8'):
        aug(dict(imgs=[np.zeros((8, 8, 3), np.float32)]))
    with pytest.raises(KeyError, match='imgs'):
        aug(dict())


def test_in_mmaction_pipeline():
    """Registry build; runs after resize/crop and before FormatShape."""
    aug_cfg = dict(type='VideoRandAugment', num_ops=2, magnitude=10)
    assert isinstance(TRANSFORMS.build(aug_cfg), VideoRandAugment)
    with DefaultScope.overwrite_default_scope('mmssar'):
        pipeline = Compose([
            dict(type='Resize', scale=(-1, 40)),
            dict(type='CenterCrop', crop_size=32),
            dict(type='VideoRandAugment', num_ops=2),
            dict(type='FormatShape', input_format='NCTHW'),
            dict(type='PackActionInputs'),
        ])
    clip = random_clip(t=4, h=48, w=64)
    np.random.seed(0)
    out = pipeline(
        dict(
            imgs=clip,
            img_shape=(48, 64),
            original_shape=(48, 64),
            num_clips=1,
            clip_len=4,
            label=0,
            modality='RGB'))
    assert tuple(out['inputs'].shape) == (1, 3, 4, 32, 32)
