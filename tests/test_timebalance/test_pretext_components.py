"""Sampler, projector and pretext losses of TimeBalance's stage 1."""
import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope

from mmssar.datasets.transforms import (SparseDenseSampleFrames,
                                        SparseDenseViews,
                                        sparse_dense_indices,
                                        sparse_dense_view_names)
from mmssar.models.heads import TemporalSliceProjector
from mmssar.models.losses import (GlobalLocalContrastiveLoss,
                                  LocalLocalContrastiveLoss, NTXentLoss,
                                  nt_xent)


@pytest.fixture(autouse=True)
def mmssar_scope():
    # mmaction transforms through the default scope (as in a Runner)
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


# ------------------------------------------------------------- sampler
def test_sparse_and_dense_indices_of_the_paper():
    sparse, dense = sparse_dense_indices(7, 16, 4)
    assert sparse.tolist() == [7 + 4 * i for i in range(16)]
    assert dense.shape == (4, 16)
    for j in range(4):
        assert dense[j].tolist() == [7 + 16 * j + i for i in range(16)]
        # dense clip j starts at sparse frame 4j
        assert dense[j][0] == sparse[4 * j]
    # the dense clips tile the sparse clip's span exactly
    assert sorted(dense.ravel()) == list(range(7, 7 + 64))


def test_sampler_decodes_one_span():
    np.random.seed(0)
    t = SparseDenseSampleFrames(clip_len=16, stride=4)
    for _ in range(20):
        r = t(dict(total_frames=100, start_index=0))
        inds = r['frame_inds']
        assert len(inds) == 64 and (np.diff(inds) == 1).all()
        assert 0 <= inds[0] <= 36 and r['sparse_dense']['start'] == inds[0]
    # shorter than the span: looped
    r = t(dict(total_frames=40, start_index=0))
    assert r['frame_inds'].tolist() == [i % 40 for i in range(64)]
    r = SparseDenseSampleFrames(4, 4, test_mode=True)(dict(total_frames=20))
    assert r['frame_inds'][0] == 2


def test_views_cut_sparse_and_dense_clips_from_the_decoded_span():
    clip_len, stride = 4, 4
    results = SparseDenseSampleFrames(clip_len, stride, test_mode=True)(
        dict(total_frames=16, start_index=0, filename='v.mp4', label=0))
    # frame k carries its own index as pixel value
    results['imgs'] = [np.full((8, 8, 3), k, np.uint8)
                       for k in results['frame_inds']]
    results['img_shape'] = (8, 8)
    views = SparseDenseViews(pipeline=[
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')
    ])(results)
    assert list(views['inputs']) == sparse_dense_view_names(4, 2)
    frames = {k: v[0, 0, :, 0, 0].tolist()
              for k, v in views['inputs'].items()}
    assert frames['sparse_a0'] == frames['sparse_a1'] == [0, 4, 8, 12]
    for j in range(4):
        assert frames[f'dense{j}_a1'] == list(range(4 * j, 4 * j + 4))
    assert views['inputs']['sparse_a0'].shape == (1, 3, 4, 8, 8)


def test_views_refuse_a_pipeline_without_the_sampler():
    with pytest.raises(KeyError, match='SparseDenseSampleFrames'):
        SparseDenseViews(pipeline=[])(dict(imgs=[]))


# ------------------------------------------------------------ projector
def test_projector_shapes_norms_and_global_is_projection_of_the_mean():
    torch.manual_seed(0)
    proj = TemporalSliceProjector(in_channels=32, num_slices=4).eval()
    feat = torch.randn(3, 32, 8, 2, 2)
    glob, local = proj(feat)
    assert glob.shape == (3, 128) and local.shape == (3, 4, 128)
    assert torch.allclose(glob.norm(dim=-1), torch.ones(3))
    assert torch.allclose(local.norm(dim=-1), torch.ones(3, 4))
    slices = feat.mean((3, 4)).reshape(3, 32, 4, 2).mean(-1)  # (3, C, 4)
    assert torch.allclose(local, proj.project(slices.transpose(1, 2)
                                              .reshape(12, 32))
                          .reshape(3, 4, 128), atol=1e-6)
    assert torch.allclose(glob, proj.project(slices.mean(-1)), atol=1e-6)
    layers = [type(m).__name__ for m in proj.mlp]
    assert layers == ['Linear', 'BatchNorm1d', 'ReLU', 'Linear',
                      'BatchNorm1d']
    assert proj.mlp[3].bias is None


# --------------------------------------------------------------- losses
def reference_nt_xent(a, b, tau):
    """Loop form of SimCLR's NT-Xent: sum of 2n CE terms / 2n."""
    z = F.normalize(torch.cat([a, b]), dim=1)
    n = len(a)
    total = 0.0
    for i in range(2 * n):
        pos = (i + n) % (2 * n)
        num = math.exp(float(z[i] @ z[pos]) / tau)
        den = sum(math.exp(float(z[i] @ z[k]) / tau)
                  for k in range(2 * n) if k != i)
        total += -math.log(num / den)
    return total / (2 * n)


def test_nt_xent_value_on_fixed_tensors():
    a = torch.tensor([[1., 0.], [0., 1.], [1., 1.]])
    b = torch.tensor([[1., 0.2], [0.1, 1.], [-1., 1.]])
    assert nt_xent(a, b, 0.1).item() == pytest.approx(
        reference_nt_xent(a, b, 0.1), rel=1e-5)
    assert NTXentLoss(gather=False)(a, b).item() == pytest.approx(
        reference_nt_xent(a, b, 0.1), rel=1e-5)
    # batched over leading dims = one loss per group
    stacked = nt_xent(torch.stack([a, b]), torch.stack([b, a]), 0.5)
    assert stacked.shape == (2, )
    assert stacked[1].item() == pytest.approx(
        reference_nt_xent(b, a, 0.5), rel=1e-5)


def test_nt_xent_identical_positives_orthogonal_negatives():
    eye = torch.eye(4)
    loss = nt_xent(eye, eye, 0.1).item()
    # positive logit 10, 2B - 2 = 6 negatives at logit 0
    assert loss == pytest.approx(
        -math.log(math.exp(10) / (math.exp(10) + 6)), rel=1e-3)
    assert 0 < loss < 1e-3


def test_nt_xent_positive_is_the_same_row_of_the_other_set():
    eye = torch.eye(4)
    shuffled = eye[[1, 0, 3, 2]]
    assert nt_xent(eye, shuffled, 0.1) > 5


def test_local_local_positives_are_the_same_time_of_the_same_video():
    torch.manual_seed(0)
    d0 = torch.randn(2, 4, 8)
    loss = LocalLocalContrastiveLoss()
    # summed per-video NT-Xent with the video's own clips as the batch
    expected = sum(reference_nt_xent(d0[v], d0[v], 0.1) for v in range(2))
    assert loss(d0, d0).item() == pytest.approx(expected, rel=1e-5)
    # other videos are not negatives: changing video 1 leaves video 0's term
    d1 = d0.clone()
    d1[1] = torch.randn(4, 8)
    per0 = LocalLocalContrastiveLoss(reduction='sum')(d0[:1], d0[:1])
    assert (loss(d0, d1) - loss(d0[1:], d1[1:])).item() == pytest.approx(
        per0.item(), rel=1e-5)
    # swapping times within a video breaks the positives
    assert loss(d0, d0[:, [1, 0, 3, 2]]) > loss(d0, d0) + 1
    assert LocalLocalContrastiveLoss(reduction='mean')(d0, d0).item() == \
        pytest.approx(expected / 2, rel=1e-5)


def test_global_local_matches_the_loop_form():
    torch.manual_seed(0)
    local = F.normalize(torch.randn(3, 4, 8), dim=-1)
    glob = F.normalize(torch.randn(3, 4, 8), dim=-1)
    total = 0.0
    for v in range(3):
        logits = local[v] @ glob[v].t() / 0.1
        for j in range(4):
            total += -logits[j].log_softmax(0)[j].item()
            total += -logits[:, j].log_softmax(0)[j].item()
    got = GlobalLocalContrastiveLoss()(local, glob).item()
    assert got == pytest.approx(total / (2 * 3), rel=1e-5)
    # the diagonal is the target: matching slices give a small loss
    assert GlobalLocalContrastiveLoss()(glob, glob) < got


@pytest.mark.parametrize('cls', [NTXentLoss])
def test_loss_refuses_bad_shapes(cls):
    with pytest.raises(ValueError):
        cls(gather=False)(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4))
    with pytest.raises(ValueError):
        cls(temperature=0)


def test_ic_local_pairs_are_every_ordered_pair_of_distinct_clips():
    # 8 dense clips (4 times x 2 augmentations) -> 56 ordered pairs
    pairs = [(p, q) for p, q in itertools.permutations(range(8), 2)]
    assert len(pairs) == 56
