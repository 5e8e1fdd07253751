import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from mmssar.datasets.transforms import (GaussianNoise, JointMask,
                                        RandomRotation, RandomScale,
                                        RandomShear, TemporalCropResize,
                                        TemporalPadCrop)
from mmssar.datasets.transforms.skeleton_augment import rotation_matrix


def basis_keypoint(dims, m=2, t=5):
    """Joints 0..dims-1 are the unit vectors, joint dims is their sum."""
    kp = np.zeros((m, t, dims + 1, dims), np.float32)
    kp[:, :, :dims] = np.eye(dims)
    kp[:, :, dims] = 1.
    return kp


def recovered_matrix(out, dims):
    """Column j of the map is the image of unit vector e_j."""
    return out[0, 0, :dims].T


@pytest.mark.parametrize('dims', [2, 3])
def test_shear_is_a_shared_linear_map_with_bounded_offdiagonals(dims):
    for seed in range(20):
        np.random.seed(seed)
        kp = basis_keypoint(dims)
        out = RandomShear(amplitude=0.5)(dict(keypoint=kp))['keypoint']
        mat = recovered_matrix(out, dims)
        np.testing.assert_allclose(np.diag(mat), 1.)
        off = mat[~np.eye(dims, dtype=bool)]
        assert (np.abs(off) <= 0.5).all() and (off != 0).all()
        # Linear and identical for every person and frame.
        np.testing.assert_allclose(out[..., dims, :], out[..., :dims, :].sum(
            -2), atol=1e-6)
        np.testing.assert_allclose(out, np.broadcast_to(out[0, 0], out.shape))


def test_shear_draws_the_documented_distribution():
    np.random.seed(0)
    offs = []
    for _ in range(300):
        out = RandomShear(amplitude=0.5)(
            dict(keypoint=basis_keypoint(3)))['keypoint']
        mat = recovered_matrix(out, 3)
        offs.extend(mat[~np.eye(3, dtype=bool)])
    offs = np.array(offs)
    assert offs.min() < -0.45 and offs.max() > 0.45
    assert abs(offs.mean()) < 0.03


def test_rotation_3d_is_orthonormal_and_within_range():
    for seed in range(20):
        np.random.seed(seed)
        out = RandomRotation(max_angle=(10, 20, 30), p=1.)(
            dict(keypoint=basis_keypoint(3)))['keypoint']
        mat = recovered_matrix(out, 3)
        np.testing.assert_allclose(mat @ mat.T, np.eye(3), atol=1e-6)
        assert np.linalg.det(mat) == pytest.approx(1., abs=1e-5)
        # Recover the documented draw: coin, then angles about x, y, z.
        np.random.seed(seed)
        np.random.rand()
        angles = np.random.uniform(-np.array([10, 20, 30.]),
                                   np.array([10, 20, 30.]))
        np.testing.assert_allclose(mat, rotation_matrix(angles), atol=1e-6)


def test_rotation_about_one_axis_and_2d():
    for seed in range(20):
        np.random.seed(seed)
        out = RandomRotation(max_angle=(0, 0, 20), p=1.)(
            dict(keypoint=basis_keypoint(3)))['keypoint']
        mat = recovered_matrix(out, 3)
        np.testing.assert_allclose(mat[2], [0, 0, 1], atol=1e-6)
        angle = np.degrees(np.arctan2(mat[1, 0], mat[0, 0]))
        assert abs(angle) <= 20
        out2d = RandomRotation(max_angle=15, p=1.)(
            dict(keypoint=basis_keypoint(2)))['keypoint']
        mat2d = recovered_matrix(out2d, 2)
        np.testing.assert_allclose(mat2d @ mat2d.T, np.eye(2), atol=1e-6)
        assert abs(np.degrees(np.arctan2(mat2d[1, 0], mat2d[0, 0]))) <= 15


def test_scale_range_and_probability():
    np.random.seed(0)
    seen_identity = seen_scaled = False
    for _ in range(40):
        out = RandomScale(scale_range=(0.5, 2.), p=0.5)(
            dict(keypoint=basis_keypoint(3)))['keypoint']
        mat = recovered_matrix(out, 3)
        np.testing.assert_allclose(mat, mat[0, 0] * np.eye(3), atol=1e-6)
        assert 0.5 <= mat[0, 0] <= 2.
        seen_identity |= mat[0, 0] == 1.
        seen_scaled |= mat[0, 0] != 1.
    assert seen_identity and seen_scaled
    out = RandomScale(per_axis=True, p=1.)(
        dict(keypoint=basis_keypoint(3)))['keypoint']
    diag = np.diag(recovered_matrix(out, 3))
    assert len(set(diag.tolist())) == 3


@pytest.mark.parametrize('aug', [
    RandomShear(),
    RandomRotation(p=1.),
    RandomScale(p=1.),
    GaussianNoise(std=0.1, p=1.),
    TemporalCropResize(ratio_range=(0.3, 1.), clip_len=40),
    TemporalPadCrop(),
])
def test_zero_persons_stay_zero(aug):
    np.random.seed(0)
    kp = np.random.randn(2, 30, 25, 3).astype(np.float32)
    kp[1] = 0.  # second person absent
    out = aug(dict(keypoint=kp, total_frames=30))['keypoint']
    assert out.dtype == np.float32
    assert (out[1] == 0).all()
    assert (out[0] != 0).any()


def test_score_channel_is_left_alone_with_num_coords():
    np.random.seed(1)
    kp = np.random.rand(1, 10, 17, 3).astype(np.float32)
    for aug in (RandomShear(num_coords=2), RandomRotation(p=1., num_coords=2),
                RandomScale(p=1., num_coords=2),
                GaussianNoise(p=1., num_coords=2)):
        out = aug(dict(keypoint=kp.copy()))['keypoint']
        np.testing.assert_array_equal(out[..., 2], kp[..., 2])
        assert not np.allclose(out[..., :2], kp[..., :2])
    with pytest.raises(ValueError, match='num_coords'):
        RandomShear()(dict(keypoint=np.zeros((1, 4, 5, 6), np.float32)))
    with pytest.raises(KeyError, match='keypoint'):
        RandomShear()(dict())


def test_joint_mask_zeros_exactly_the_drawn_joints():
    kp = np.random.default_rng(0).uniform(1, 2, (2, 12, 25, 3))
    score = np.ones((2, 12, 25))
    for seed in range(10):
        np.random.seed(seed)
        res = JointMask(ratio=0.2, p=1.)(
            dict(keypoint=kp.copy(), keypoint_score=score.copy()))
        out, out_score = res['keypoint'], res['keypoint_score']
        masked = (out == 0).all(axis=(0, 1, 3))
        assert masked.sum() == 5
        np.testing.assert_array_equal(out[:, :, ~masked], kp[:, :, ~masked])
        assert (out_score[:, :, masked] == 0).all()
        assert (out_score[:, :, ~masked] == 1).all()
        # The masked joints are the documented draw (after the coin).
        np.random.seed(seed)
        np.random.rand()
        drawn = np.random.choice(25, 5, replace=False)
        assert set(np.flatnonzero(masked)) == set(drawn)


def test_gaussian_noise_skips_absent_frames():
    np.random.seed(0)
    kp = np.ones((2, 20, 25, 3), np.float32)
    kp[0, 10:] = 0.
    out = GaussianNoise(std=0.05, p=1.)(dict(keypoint=kp))['keypoint']
    assert (out[0, 10:] == 0).all()
    noise = out[kp != 0] - 1.
    assert 0.04 < noise.std() < 0.06


def test_temporal_crop_resize_length_and_endpoints():
    rng = np.random.default_rng(0)
    kp = rng.normal(size=(2, 50, 25, 3)).astype(np.float32)
    kp[:, 40:] = 0.  # trailing padding is ignored
    score = rng.uniform(size=(2, 50, 25)).astype(np.float32)
    np.random.seed(0)
    res = TemporalCropResize(ratio_range=(1., 1.), clip_len=64)(
        dict(
            keypoint=kp.copy(),
            keypoint_score=score.copy(),
            total_frames=50,
            frame_inds=np.arange(50)))
    out = res['keypoint']
    assert out.shape == (2, 64, 25, 3) and res['total_frames'] == 64
    assert res['keypoint_score'].shape == (2, 64, 25)
    assert 'frame_inds' not in res
    np.testing.assert_allclose(out[:, 0], kp[:, 0])
    np.testing.assert_allclose(out[:, -1], kp[:, 39], rtol=1e-6)
    np.testing.assert_allclose(res['keypoint_score'][:, -1], score[:, 39])
    # Ratio 1 onto the valid length is an exact copy.
    res = TemporalCropResize(ratio_range=(1., 1.), clip_len=40)(
        dict(keypoint=kp.copy()))
    np.testing.assert_allclose(res['keypoint'], kp[:, :40])


def test_temporal_crop_resize_crops_a_segment():
    t = 60
    kp = np.broadcast_to(
        np.arange(1, t + 1, dtype=np.float32)[None, :, None, None],
        (1, t, 4, 3)).copy()
    lengths = []
    for seed in range(20):
        np.random.seed(seed)
        out = TemporalCropResize(ratio_range=(0.25, 0.5))(
            dict(keypoint=kp.copy()))['keypoint']
        assert out.shape == kp.shape  # clip_len None keeps T
        frames = out[0, :, 0, 0]
        assert (np.diff(frames) >= 0).all()
        span = frames[-1] - frames[0] + 1
        assert 0.25 * t - 1 <= span <= 0.5 * t + 1
        lengths.append(span)
    assert len(set(lengths)) > 1


def test_temporal_crop_resize_does_not_blend_absent_frames():
    kp = np.full((2, 30, 5, 3), 5., np.float32)
    kp[1, 1::2] = 0.  # person 2 flickers in and out
    for seed in range(10):
        np.random.seed(seed)
        out = TemporalCropResize(ratio_range=(0.4, 1.), clip_len=47)(
            dict(keypoint=kp.copy()))['keypoint']
        assert set(np.unique(out[1]).tolist()) <= {0., 5.}
        np.testing.assert_allclose(out[0], 5.)


def test_temporal_crop_resize_not_applied_still_fixes_length():
    kp = np.random.default_rng(0).normal(size=(1, 20, 5, 3))
    np.random.seed(0)
    out = TemporalCropResize(clip_len=20, p=0.)(dict(keypoint=kp.copy()))
    np.testing.assert_array_equal(out['keypoint'], kp)
    out = TemporalCropResize(clip_len=39, p=0.)(dict(keypoint=kp.copy()))
    np.testing.assert_allclose(out['keypoint'][:, ::2], kp)


def test_temporal_pad_crop_is_a_window_of_the_mirrored_sequence():
    t = 36
    kp = np.arange(1, t + 1, dtype=np.float32).reshape(1, t, 1, 1)
    kp = np.repeat(kp, 2, axis=-1)
    padded = np.concatenate([kp[:, :6][:, ::-1], kp, kp[:, -6:][:, ::-1]], 1)
    starts = set()
    for seed in range(30):
        np.random.seed(seed)
        res = TemporalPadCrop(padding_ratio=6)(
            dict(keypoint=kp.copy(), total_frames=t))
        out = res['keypoint']
        assert out.shape == kp.shape and res['total_frames'] == t
        matches = [
            s for s in range(13)
            if np.array_equal(out, padded[:, s:s + t])
        ]
        assert matches
        starts.add(matches[0])
    assert len(starts) > 3


def test_gcn_pipeline_with_strong_augs():
    """Recommended placement: after PreNormalize3D, before GenSkeFeat."""
    with DefaultScope.overwrite_default_scope('mmssar'):
        pipeline = Compose([
            dict(type='PreNormalize3D'),
            dict(type='RandomShear', amplitude=0.5),
            dict(type='RandomRotation', p=0.5),
            dict(type='TemporalCropResize', ratio_range=(0.5, 1.)),
            dict(type='JointMask', ratio=0.2),
            dict(type='GaussianNoise'),
            dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j', 'b']),
            dict(type='UniformSampleFrames', clip_len=16),
            dict(type='PoseDecode'),
            dict(type='FormatGCNInput', num_person=2),
            dict(type='PackActionInputs'),
        ])
    rng = np.random.default_rng(0)
    kp = rng.normal(size=(1, 48, 25, 3)).astype(np.float32)
    np.random.seed(0)
    out = pipeline(dict(keypoint=kp, total_frames=48, label=0))
    assert tuple(out['inputs'].shape) == (1, 2, 16, 25, 6)
    assert (out['inputs'][:, 1] == 0).all()  # padded person stays zero
