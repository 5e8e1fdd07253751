import cv2
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


# ------------------------------------------------ the LTG (imgaug) preset
LTG_OPS = ('ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate',
           'Posterize', 'Solarize', 'Color', 'Contrast', 'Brightness',
           'Sharpness', 'AutoContrast', 'Equalize', 'Invert', 'Cutout')


def test_ltg_preset_op_set_and_values():
    aug = VideoRandAugment(preset='ltg_imgaug')
    assert aug.ops == LTG_OPS and 'Identity' not in aug.ops
    assert aug.num_ops == 2 and aug.distinct and aug.ordered
    lv = aug.levels
    # imgaug RandAugment at level 9 / 10 (MMAction2 0.x Imgaug('default'))
    for op in ('ShearX', 'ShearY'):
        assert np.degrees(np.arctan(lv[op])) == pytest.approx(15.471)
    assert lv['TranslateX'] == lv['TranslateY'] == pytest.approx(0.18)
    assert lv['Rotate'] == pytest.approx(27.)
    assert lv['Posterize'] == 5  # bits removed: 3 kept
    assert 256 * (1 - lv['Solarize']) == 230.
    for op in ('Color', 'Contrast', 'Brightness', 'Sharpness'):
        assert 1 + lv[op] == pytest.approx(1.72)
    assert lv['Cutout'] == pytest.approx(0.18)
    assert aug.fill == 0 and aug.cutout_fill == 128
    assert set(aug.signed_ops) == {'ShearX', 'ShearY', 'TranslateX',
                                   'TranslateY', 'Rotate'}
    # explicit arguments override the preset
    assert VideoRandAugment(preset='ltg_imgaug', num_ops=1).num_ops == 1
    with pytest.raises(ValueError, match='unknown preset'):
        VideoRandAugment(preset='imgaug')


def test_ltg_preset_draws_two_distinct_ops_in_list_order():
    aug = VideoRandAugment(preset='ltg_imgaug')
    seen, signs = set(), set()
    np.random.seed(0)
    for _ in range(400):
        drawn = aug.sample_ops()
        names = [op for op, _ in drawn]
        assert len(names) == 2 and names[0] != names[1]
        assert LTG_OPS.index(names[0]) < LTG_OPS.index(names[1])
        for op, value in drawn:
            level = aug.levels.get(op, 0.)
            assert abs(value) == pytest.approx(level)
            if op in aug.signed_ops:
                signs.add(np.sign(value))
            else:
                assert value >= 0  # enhance factors are always 1.72
        seen.update(names)
    assert seen == set(LTG_OPS) and signs == {-1., 1.}


def _apply(op, clip, **kw):
    aug = VideoRandAugment(preset='ltg_imgaug', **kw)
    return aug.apply_op(np.stack(clip), op, aug.levels.get(op, 0.))


def test_ltg_preset_point_ops():
    values = np.arange(256, dtype=np.uint8)
    clip = [np.broadcast_to(values[None, :, None], (4, 256, 3)).copy()] * 2
    out = _apply('Solarize', clip)[0, 0, :, 0].astype(int)
    v = values.astype(int)
    np.testing.assert_array_equal(out, np.where(v >= 230, 255 - v, v))
    out = _apply('Posterize', clip)[0, 0, :, 0]
    np.testing.assert_array_equal(out, values & 0b11100000)
    out = _apply('Invert', clip)[0, 0, :, 0]
    np.testing.assert_array_equal(out, 255 - values)
    out = _apply('Brightness', clip)[0, 0, :, 0].astype(int)
    np.testing.assert_array_equal(out, np.minimum(np.rint(v * 1.72), 255))


def test_ltg_preset_cutout_and_translate():
    clip = random_clip(t=3, h=50, w=50, seed=2)
    np.random.seed(3)
    out = _apply('Cutout', clip)
    painted = (out != np.stack(clip)).any(-1)
    assert (painted == painted[0]).all()  # the same square on every frame
    ys, xs = np.nonzero(painted[0])
    side = round(0.18 * 50)
    assert ys.max() - ys.min() + 1 <= side and xs.max() - xs.min() + 1 <= side
    assert (out[np.broadcast_to(painted[..., None], out.shape)] == 128).all()
    out = _apply('TranslateX', clip)
    shift = round(0.18 * 50)
    np.testing.assert_array_equal(out[:, :, shift:], np.stack(clip)[:, :,
                                                                   :-shift])
    assert (out[:, :, :shift] == 0).all()  # imgaug fills with black


@pytest.mark.parametrize('seed', range(6))
def test_ltg_preset_is_clip_consistent(seed):
    np.random.seed(seed)
    frame = random_clip(t=1, seed=seed)[0]
    out = VideoRandAugment(preset='ltg_imgaug')(
        dict(imgs=[frame.copy() for _ in range(5)]))['imgs']
    for other in out[1:]:
        np.testing.assert_array_equal(other, out[0])


def test_levels_and_distinct_are_checked():
    with pytest.raises(ValueError, match='no value for the ops'):
        VideoRandAugment(ops=['Rotate', 'Invert'], levels=dict(Invert=0.))
    with pytest.raises(ValueError, match='distinct'):
        VideoRandAugment(ops=['Rotate'], num_ops=2, distinct=True)
    with pytest.raises(ValueError, match='magnitude_std'):
        VideoRandAugment(levels=dict(), ops=['Invert'], magnitude_std=1.)


# ------------------------- the fast whole-clip ops equal plain references
def _ref_blend(degenerate, clip, factor):
    # the first implementation's arithmetic: float32 difference, float64
    # blend (factor is a numpy float64)
    out = degenerate + np.float64(factor) * (clip.astype(np.float32) -
                                             degenerate)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _reference(op, clip, value):
    """Per-op references (whole-clip statistics, frame-wise filters)."""
    flat = clip.reshape(-1, 3)
    if op == 'AutoContrast':
        lo, hi = flat.min(0).astype(np.float32), flat.max(0).astype(
            np.float32)
        valid = hi > lo
        scale = np.where(valid, 255. / np.maximum(hi - lo, 1.), 1.)
        offset = np.where(valid, lo, 0.)
        luts = np.clip((np.arange(256, dtype=np.float32)[None] -
                        offset[:, None]) * scale[:, None], 0, 255).astype(
                            np.uint8)
        return np.stack([luts[c][clip[..., c]] for c in range(3)], -1)
    if op == 'Equalize':
        hist = np.stack([np.bincount(flat[:, c], minlength=256)
                         for c in range(3)])
        luts = equalize_lut(hist)
        return np.stack([luts[c][clip[..., c]] for c in range(3)], -1)
    if op == 'Solarize':
        return np.where(clip >= 256. * (1. - value), 255 - clip, clip)
    gray = clip.astype(np.float32) @ np.array([0.299, 0.587, 0.114],
                                              np.float32)
    if op == 'Color':
        return _ref_blend(gray[..., None], clip, 1. + value)
    if op == 'Sharpness':
        kernel = np.ones((3, 3), np.float32)
        kernel[1, 1] = 5.
        kernel /= kernel.sum()
        deg = np.stack([cv2.filter2D(f, -1, kernel) for f in clip])
        deg[:, [0, -1]] = clip[:, [0, -1]]
        deg[:, :, [0, -1]] = clip[:, :, [0, -1]]
        return _ref_blend(deg.astype(np.float32), clip, 1. + value)
    raise KeyError(op)


@pytest.mark.parametrize(
    'op', ['AutoContrast', 'Equalize', 'Solarize', 'Color', 'Sharpness'])
@pytest.mark.parametrize('seed', range(3))
def test_whole_clip_ops_equal_references(op, seed):
    rng = np.random.default_rng(seed)
    clip = rng.integers(0, 256, (4, 23, 31, 3), dtype=np.uint8)
    clip[1] //= 3  # uneven statistics across frames
    value = np.float64(rng.choice([-1, 1]) * 0.9 if op in (
        'Color', 'Sharpness') else 0.7)
    out = VideoRandAugment().apply_op(clip, op, value)
    np.testing.assert_array_equal(out, _reference(op, clip, value))
    assert out.flags['C_CONTIGUOUS']
