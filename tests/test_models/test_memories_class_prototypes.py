"""ClassPrototypes: EMA values on fixed tensors, absent classes, scoring."""
import math

import pytest
import torch
from mmengine.registry import DefaultScope

from mmssar.models.memories import ClassPrototypes
from mmssar.registry import MODELS


def test_registered_and_state_in_buffers():
    with DefaultScope.overwrite_default_scope('mmssar'):
        protos = MODELS.build(
            dict(type='ClassPrototypes', num_classes=3, dim=2, momentum=0.9))
    assert isinstance(protos, ClassPrototypes)
    assert set(dict(protos.named_buffers())) == {
        'prototypes', 'initialized', 'counts'
    }
    assert not protos.initialized.any()


def test_first_update_sets_mean_then_ema_unnormalised():
    protos = ClassPrototypes(3, 2, momentum=0.75, normalize=False)
    feats = torch.tensor([[1., 0.], [3., 2.], [0., 4.]])
    protos.update(feats, torch.tensor([0, 0, 1]))
    torch.testing.assert_close(protos.prototypes,
                               torch.tensor([[2., 1.], [0., 4.], [0., 0.]]))
    assert protos.initialized.tolist() == [True, True, False]
    assert protos.counts.tolist() == [2, 1, 0]

    # class 0 moves by EMA, class 1 is absent and keeps its prototype,
    # class 2 appears for the first time and takes its mean
    protos.update(torch.tensor([[6., 5.], [4., 4.]]), torch.tensor([0, 2]))
    torch.testing.assert_close(
        protos.prototypes,
        torch.tensor([[0.75 * 2 + 0.25 * 6, 0.75 * 1 + 0.25 * 5], [0., 4.],
                      [4., 4.]]))
    assert protos.initialized.all()
    assert protos.counts.tolist() == [3, 1, 1]


def test_normalised_update_averages_unit_vectors():
    protos = ClassPrototypes(2, 2, momentum=0.5, normalize=True)
    # a long and a short vector weigh the same once normalised
    protos.update(torch.tensor([[10., 0.], [0., 0.1]]), torch.tensor([0, 0]))
    s = 1 / math.sqrt(2)
    torch.testing.assert_close(protos.prototypes[0], torch.tensor([s, s]))
    protos.update(torch.tensor([[0., 3.]]), torch.tensor([0]))
    # 0.5 * [s, s] + 0.5 * [0, 1], renormalised
    expected = torch.tensor([0.5 * s, 0.5 * s + 0.5])
    torch.testing.assert_close(protos.prototypes[0],
                               expected / expected.norm())
    torch.testing.assert_close(protos.prototypes[1], torch.zeros(2))


def test_ignored_labels_empty_batch_and_bad_labels():
    protos = ClassPrototypes(2, 2, momentum=0.5, normalize=False)
    protos.update(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long))
    assert not protos.initialized.any()
    protos.update(torch.tensor([[1., 1.], [9., 9.]]), torch.tensor([1, -1]))
    torch.testing.assert_close(protos.prototypes[1], torch.tensor([1., 1.]))
    assert protos.counts.tolist() == [0, 1]
    with pytest.raises(ValueError, match=r'in \[0, 2\)'):
        protos.update(torch.zeros(1, 2), torch.tensor([2]))
    with pytest.raises(ValueError, match=r'\(N, 2\)'):
        protos.update(torch.zeros(1, 3), torch.tensor([0]))
    with pytest.raises(ValueError, match='momentum'):
        ClassPrototypes(2, 2, momentum=1.0)


def test_similarity_probabilities_and_confidence():
    protos = ClassPrototypes(3, 2, momentum=0.5, temperature=0.5)
    feats = torch.tensor([[2., 0.], [1., 1.], [0., -1.]])
    # nothing initialised: uniform, no NaN
    torch.testing.assert_close(protos.probabilities(feats),
                               torch.full((3, 3), 1 / 3))
    protos.update(torch.tensor([[1., 0.], [0., 1.]]), torch.tensor([0, 1]))
    s = 1 / math.sqrt(2)
    sim = protos.similarity(feats)
    torch.testing.assert_close(
        sim, torch.tensor([[1., 0., 0.], [s, s, 0.], [0., -1., 0.]]))
    probs = protos.probabilities(feats)
    # class 2 has no prototype: probability 0; others softmax(sim / 0.5)
    e = torch.exp(torch.tensor([[2., 0.], [2 * s, 2 * s], [0., -2.]]))
    expected = torch.cat([e / e.sum(1, keepdim=True),
                          torch.zeros(3, 1)], dim=1)
    torch.testing.assert_close(probs, expected)
    conf, pred = protos.confidence(feats)
    torch.testing.assert_close(conf, expected.max(1).values)
    assert pred.tolist() == [0, 0, 0]  # row 1 ties: first index
    # a sharper temperature raises the confidence of row 0
    assert protos.confidence(feats, temperature=0.1)[0][0] > conf[0]


def test_state_dict_round_trip_reproduces_later_updates():
    g = torch.Generator().manual_seed(0)
    batches = [(torch.randn(6, 4, generator=g),
                torch.randint(0, 3, (6, ), generator=g)) for _ in range(4)]
    protos = ClassPrototypes(3, 4, momentum=0.8)
    protos.update(*batches[0])
    fresh = ClassPrototypes(3, 4, momentum=0.8)
    fresh.load_state_dict(protos.state_dict())
    for feats, labels in batches[1:]:
        protos.update(feats, labels)
        fresh.update(feats, labels)
    for name, value in protos.state_dict().items():
        assert torch.equal(fresh.state_dict()[name], value), name
