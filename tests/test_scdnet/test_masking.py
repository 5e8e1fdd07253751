"""SCD-Net transforms: structural/temporal masking, crop-resize, geometry,
pre-normalisation."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmssar.datasets.transforms.scdnet_transforms import (
    NTU_FLIP_ORDER, SCDJointSwapFlip, SCDPreNormalize, SCDRandomRotate,
    SCDRandomShear, SCDStructuralJointMask, SCDTemporalBlockMask,
    SCDTemporalCropResize, agcn_pre_normalize, graph_adjacency,
    structural_joint_mask, temporal_block_mask)
from mmssar.registry import TRANSFORMS


def _sample(T=64, V=25, M=2, seed=0):
    rng = np.random.default_rng(seed)
    # strictly non-zero so that zeroed entries are unambiguous
    return (rng.random((M, T, V, 3)) + 0.5).astype(np.float32)


@pytest.mark.parametrize('seed', [0, 1, 7])
def test_structural_joint_mask_zeroes_top_joints_only(seed):
    kp = _sample()
    adj = graph_adjacency('nturgb+d_agcn')
    np.random.seed(seed)
    out, joints = structural_joint_mask(kp, adj, num_seeds=5, num_masked=8)
    assert len(joints) == 8 and len(set(joints.tolist())) == 8
    # masked joints are zero in every frame and for both persons
    assert np.all(out[:, :, joints] == 0)
    rest = np.setdiff1d(np.arange(25), joints)
    np.testing.assert_array_equal(out[:, :, rest], kp[:, :, rest])
    # independent reference: 2-hop path counts from the same seeds
    np.random.seed(seed)
    seeds = np.random.randint(0, 25, size=5)
    two_hop = adj @ adj
    score = two_hop[seeds].sum(0)
    assert score[joints].min() >= score[rest].max()
    # every masked joint is within two hops of a seed (5 seeds reach > 8)
    reach = (two_hop[seeds] > 0).any(0)
    if reach.sum() >= 8:
        assert reach[joints].all()


def test_graph_adjacency_is_symmetric_with_self_loops():
    adj = graph_adjacency('nturgb+d_agcn')
    np.testing.assert_array_equal(adj, adj.T)
    assert np.all(np.diag(adj) == 1)
    assert adj.sum() == 25 + 2 * 24
    assert adj[21, 22] == 1 and adj[21, 7] == 0  # AGCN hand wiring


@pytest.mark.parametrize('seed', [0, 3])
def test_temporal_block_mask_zeroes_six_aligned_blocks(seed):
    kp = _sample()
    np.random.seed(seed)
    out, frames = temporal_block_mask(kp, block_len=4, num_masked_blocks=6)
    assert len(frames) == 24
    blocks = np.unique(frames // 4)
    assert len(blocks) == 6
    np.testing.assert_array_equal(np.sort(frames),
                                  (blocks[:, None] * 4 + np.arange(4)).ravel())
    assert np.all(out[:, frames] == 0)
    keep = np.setdiff1d(np.arange(64), frames)
    np.testing.assert_array_equal(out[:, keep], kp[:, keep])
    zero_frames = np.where(~np.any(out != 0, axis=(0, 2, 3)))[0]
    np.testing.assert_array_equal(zero_frames, frames)


def test_temporal_block_mask_rejects_indivisible_length():
    with pytest.raises(ValueError, match='divisible'):
        temporal_block_mask(_sample(T=30))


def test_structural_mask_on_other_layouts():
    kp = _sample(T=8, V=15, M=1)
    np.random.seed(0)
    res = SCDStructuralJointMask(prob=1, layout='jhmdb', num_masked=4)(
        dict(keypoint=kp))
    zeroed = ~np.any(res['keypoint'] != 0, axis=(0, 1, 3))
    assert zeroed.sum() == 4
    flip = SCDJointSwapFlip(prob=1, layout='jhmdb')
    once = flip(dict(keypoint=kp))['keypoint']
    np.testing.assert_array_equal(once[:, :, 3], kp[:, :, 4])
    np.testing.assert_array_equal(flip(dict(keypoint=once))['keypoint'], kp)


def test_mask_transforms_respect_probability_and_scores():
    kp = _sample()
    score = np.ones(kp.shape[:3], np.float32)
    for cls in (SCDStructuralJointMask, SCDTemporalBlockMask):
        res = cls(prob=0.0)(dict(keypoint=kp.copy()))
        np.testing.assert_array_equal(res['keypoint'], kp)
        np.random.seed(0)
        res = cls(prob=1.0)(dict(keypoint=kp.copy(), keypoint_score=score))
        zeroed = ~np.any(res['keypoint'] != 0, axis=-1)
        assert zeroed.any()
        np.testing.assert_array_equal(res['keypoint_score'] == 0, zeroed)


def test_flip_twice_is_identity_and_swaps_arms():
    kp = _sample()
    flip = SCDJointSwapFlip(prob=1.0)
    once = flip(dict(keypoint=kp))['keypoint']
    np.testing.assert_array_equal(once[:, :, 4], kp[:, :, 8])
    np.testing.assert_array_equal(once[:, :, 21], kp[:, :, 23])
    twice = flip(dict(keypoint=once))['keypoint']
    np.testing.assert_array_equal(twice, kp)
    assert sorted(NTU_FLIP_ORDER) == list(range(25))
    with pytest.raises(ValueError, match='flip order'):
        SCDJointSwapFlip(layout='coco')


def test_rotate_zero_angle_identity_and_norm_preserving():
    kp = _sample()
    out = SCDRandomRotate(prob=1, max_angle=0, minor_max_angle=0)(
        dict(keypoint=kp))['keypoint']
    np.testing.assert_allclose(out, kp, atol=1e-6)
    np.random.seed(0)
    out = SCDRandomRotate(prob=1)(dict(keypoint=kp))['keypoint']
    assert not np.allclose(out, kp)
    np.testing.assert_allclose(
        np.linalg.norm(out, axis=-1), np.linalg.norm(kp, axis=-1), rtol=1e-5)


def test_rotate_matches_official_sign_convention():
    """Rotation by +theta about x in the upstream convention maps row vector
    p to p @ [[1,0,0],[0,c,-s],[0,s,c]] (their matrix, transposed, on the
    right)."""
    kp = _sample()
    np.random.seed(5)
    out = SCDRandomRotate(prob=1)(dict(keypoint=kp))['keypoint']
    np.random.seed(5)
    np.random.rand()  # the probability draw
    main = np.random.randint(0, 3)
    ref = kp.astype(np.float64)
    for axis in range(3):
        a = np.radians(np.random.uniform(0, 30 if axis == main else 1))
        c, s = np.cos(a), np.sin(a)
        R = {
            0: [[1, 0, 0], [0, c, s], [0, -s, c]],
            1: [[c, 0, -s], [0, 1, 0], [s, 0, c]],
            2: [[c, s, 0], [-s, c, 0], [0, 0, 1]]
        }[axis]
        ref = ref @ np.array(R).T
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_shear_unit_diagonal():
    kp = np.zeros((1, 4, 25, 3), np.float32)
    kp[..., 0] = 1.0  # unit x: output = first column of S
    np.random.seed(1)
    out = SCDRandomShear(prob=1)(dict(keypoint=kp))['keypoint']
    assert np.allclose(out[..., 0], 1.0)
    assert np.all(np.abs(out[..., 1:]) <= 1.0)
    assert not np.allclose(out[..., 1:], 0)


def _official_style_crop_resize(data_ctvm, n, lo, hi, out_len):
    """Reference written from the upstream description: bilinear resize of a
    (1, C*V*M, L, 1) map, min crop of 64 frames."""
    C, T, V, M = data_ctvm.shape
    scale = np.random.rand(1)[0] * (hi - lo) + lo
    length = np.minimum(np.maximum(int(np.floor(n * scale)), 64), n)
    start = np.random.randint(0, n - length + 1)
    crop = torch.tensor(data_ctvm[:, start:start + length], dtype=torch.float)
    crop = crop.permute(0, 2, 3, 1).reshape(C * V * M, length)[None, :, :,
                                                                None]
    out = F.interpolate(crop, size=(out_len, 1), mode='bilinear',
                        align_corners=False)[0, :, :, 0]
    return out.reshape(C, V, M, out_len).permute(0, 3, 1, 2).numpy(), length


@pytest.mark.parametrize('n,seed', [(150, 0), (300, 1), (40, 2), (64, 3)])
def test_crop_resize_matches_reference(n, seed):
    kp = _sample(T=300, seed=seed)
    np.random.seed(seed)
    res = SCDTemporalCropResize()(dict(keypoint=kp, total_frames=n))
    assert res['keypoint'].shape == (2, 64, 25, 3)
    assert res['total_frames'] == 64
    np.random.seed(seed)
    ref, length = _official_style_crop_resize(
        kp.transpose(3, 1, 2, 0), n, 0.1, 1.0, 64)
    assert length >= min(64, n)
    np.testing.assert_allclose(res['keypoint'], ref.transpose(3, 1, 2, 0),
                               rtol=1e-5, atol=1e-6)


def test_crop_resize_center_test_mode():
    T = 100
    kp = np.broadcast_to(
        np.arange(T, dtype=np.float32)[None, :, None, None],
        (1, T, 25, 3)).copy()
    res = SCDTemporalCropResize(test_mode=True)(
        dict(keypoint=kp, total_frames=T))
    out = res['keypoint'][0, :, 0, 0]
    # 95 % centre crop of 100 frames keeps frames 2..97 (96 frames)
    assert out.shape == (64, )
    assert np.all(np.diff(out) > 0)
    assert 2.0 <= out[0] < 3.0 and 96.0 < out[-1] <= 97.0


def test_pre_normalize_center_pad_align():
    rng = np.random.default_rng(0)
    kp = rng.normal(size=(2, 50, 25, 3)).astype(np.float32) + 3.0
    kp[1, 30:] = 0  # second body leaves after 30 frames
    res = TRANSFORMS.build(dict(type='SCDPreNormalize'))(
        dict(keypoint=kp.copy()))
    out = res['keypoint']
    # per-frame centring on person 0's spine joint
    np.testing.assert_allclose(out[0, :, 1], 0, atol=1e-5)
    # empty tail of person 1 filled by looping its 30 valid frames (before
    # centring on person 0's per-frame spine)
    plain = agcn_pre_normalize(kp, zaxis=None, xaxis=None)
    np.testing.assert_allclose(plain[1, 30:50] + kp[0, 30:50, 1:2],
                               kp[1, :20], atol=1e-5)
    # right - left shoulder of person 0, frame 0, along +x
    v = out[0, 0, 8] - out[0, 0, 4]
    np.testing.assert_allclose(v / np.linalg.norm(v), [1, 0, 0], atol=1e-5)
    # z alignment alone: hip -> spine along +z
    zonly = agcn_pre_normalize(kp, xaxis=None)
    v = zonly[0, 0, 1] - zonly[0, 0, 0]
    np.testing.assert_allclose(v / np.linalg.norm(v), [0, 0, 1], atol=1e-5)
    # rotations keep lengths
    np.testing.assert_allclose(
        np.linalg.norm(out[0] - out[0, :, :1], axis=-1),
        np.linalg.norm(zonly[0] - zonly[0, :, :1], axis=-1),
        rtol=1e-4, atol=1e-5)


def test_pre_normalize_leading_empty_frames_and_2d():
    kp = np.zeros((1, 10, 25, 3), np.float32)
    kp[0, 3:7] = np.arange(1, 5, dtype=np.float32)[:, None, None] + \
        np.arange(25, dtype=np.float32)[None, :, None]
    out = agcn_pre_normalize(kp, zaxis=None, xaxis=None)
    # valid frames moved to the front and looped: 4 valid frames -> period 4
    np.testing.assert_allclose(out[0, 4:8], out[0, 0:4])
    assert np.all(out[0, :, 1] == 0)
    with pytest.raises(ValueError, match='3-D'):
        SCDPreNormalize()(dict(keypoint=np.ones((1, 5, 15, 2), np.float32)))
    res = SCDPreNormalize(zaxis=None, xaxis=None)(
        dict(keypoint=np.ones((1, 5, 15, 2), np.float32)))
    assert res['keypoint'].shape == (1, 5, 15, 2)
