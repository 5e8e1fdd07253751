"""One training step of the stage-1 model in its three modes."""
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

from mmssar.datasets.transforms import sparse_dense_view_names
from mmssar.registry import MODELS

BACKBONE = dict(
    type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8,
    lateral=False, conv1_kernel=(3, 7, 7), conv1_stride_t=1,
    pool1_stride_t=1, inflate=(1, 1, 1, 1), norm_eval=False)


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def build(mode, **kwargs):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='TemporalContrastivePretrainer', backbone=BACKBONE,
        neck=dict(type='TemporalSliceProjector', in_channels=64,
                  hidden_channels=16, out_channels=16),
        mode=mode, **kwargs))


def batch(n=3):
    gen = torch.Generator().manual_seed(0)
    return dict(
        inputs={v: [torch.randint(0, 256, (1, 3, 4, 16, 16), generator=gen,
                                  dtype=torch.uint8) for _ in range(n)]
                for v in sparse_dense_view_names(4, 2)},
        data_samples=[ActionDataSample() for _ in range(n)])


@pytest.mark.parametrize('mode,terms', [
    ('invariant', {'loss_ic_global', 'loss_ic_local'}),
    ('distinctive', {'loss_ll', 'loss_gl'}),
    ('all', {'loss_ic_global', 'loss_ic_local', 'loss_ll', 'loss_gl'}),
])
def test_one_step_trains_the_terms_of_the_mode(mode, terms):
    model = build(mode)
    model.train()
    wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    data = model.data_preprocessor(batch(), True)
    assert data['inputs']['dense3_a1'].shape == (3, 1, 3, 4, 16, 16)
    losses = model(**data, mode='loss')
    assert {k for k in losses if 'loss' in k} == terms
    assert all(torch.isfinite(v) for v in losses.values())
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    wrapper.update_params(loss)
    after = model.state_dict()
    assert not torch.equal(before['backbone.conv1.conv.weight'],
                           after['backbone.conv1.conv.weight'])


def test_ic_local_is_the_ordered_pair_sum_over_four():
    from mmssar.models.losses import nt_xent
    model = build('invariant')
    torch.manual_seed(1)
    names = sparse_dense_view_names(4, 2)
    glob = {v: torch.nn.functional.normalize(torch.randn(3, 16), dim=-1)
            for v in names}
    out = model.pretext_losses(glob, {})
    dense = [v for v in names if v.startswith('dense')]
    total = sum(nt_xent(glob[p], glob[q], 0.1) for p in dense for q in dense
                if p != q)
    assert out['loss_ic_local'].item() == pytest.approx(
        total.item() / 4, rel=1e-5)
    assert out['loss_ic_global'].item() == pytest.approx(
        nt_xent(glob['sparse_a0'], glob['sparse_a1'], 0.1).item(), rel=1e-5)


def test_checkpoint_keys_initialise_a_recognizer_backbone():
    model = build('all')
    keys = model.state_dict().keys()
    assert any(k.startswith('backbone.') for k in keys)
    assert {k.split('.')[0] for k in keys} <= {'backbone', 'neck', 'll_loss',
                                               'gl_loss',
                                               'data_preprocessor'}


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match='mode'):
        build('both')
    with pytest.raises(ValueError, match='num_slices'):
        build('all', num_dense=2)
    with pytest.raises(KeyError, match='views'):
        model = build('all')
        data = model.data_preprocessor(batch(), True)
        data['inputs'].pop('dense0_a0')
        model(**data, mode='loss')
