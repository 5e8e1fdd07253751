"""kNN retrieval helpers on fixed features (hand-computed expectations)."""
import pytest
import torch

from mmssar.evaluation.knn import (backbone_features, knn_accuracy,
                                   knn_classify, pool_features)

# bank: four 2-D features, labels 0, 0, 1, 2
BANK = torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.], [-1., 0.]])
BANK_LABELS = torch.tensor([0, 0, 1, 2])


def test_one_nn_cosine_matches_hand_computation():
    # nearest by angle: q0 (2, 0.1) -> bank 0 (label 0); q1 (0.1, 5) ->
    # bank 2 (label 1); q2 (-3, -0.2) -> bank 3 (label 2); q3 (0.6, 0.4):
    # cos to bank 1 = (0.54+0.04)/(0.721*0.906) = 0.888 > cos to bank 0
    # = 0.832 -> label 0.
    query = torch.tensor([[2., 0.1], [0.1, 5.], [-3., -0.2], [0.6, 0.4]])
    preds = knn_classify(BANK, BANK_LABELS, query, k=1)
    assert preds.tolist() == [0, 1, 2, 0]
    # true labels 0, 1, 1, 0 -> 3 of 4 correct
    acc = knn_accuracy(BANK, BANK_LABELS, query, torch.tensor([0, 1, 1, 0]))
    assert acc == pytest.approx(75.0)


def test_cosine_ignores_scale_but_euclidean_does_not():
    bank = torch.tensor([[10., 0.], [0.5, 0.6]])
    labels = torch.tensor([0, 1])
    query = torch.tensor([[0.5, 0.1]])
    # cosine: angle to (10, 0) is smaller -> 0; euclidean: (0.5, 0.6) is
    # 0.5 away, (10, 0) 9.5 away -> 1
    assert knn_classify(bank, labels, query, metric='cosine').item() == 0
    assert knn_classify(bank, labels, query, metric='euclidean').item() == 1


def test_majority_vote_and_tie_break_by_nearest():
    query = torch.tensor([[1., 0.05]])
    # 3-NN: bank 0 (0), bank 1 (0), bank 2 (1) -> majority 0
    assert knn_classify(BANK, BANK_LABELS, query, k=3).item() == 0
    # 2-NN with one vote each: the nearest (bank 0, label 0) wins the tie
    labels = torch.tensor([0, 1, 1, 2])
    assert knn_classify(BANK, labels, query, k=2).item() == 0
    # the same tie with the roles swapped
    labels = torch.tensor([1, 0, 1, 2])
    assert knn_classify(BANK, labels, query, k=2).item() == 1


def test_chunking_gives_identical_predictions():
    g = torch.Generator().manual_seed(0)
    bank, query = torch.randn(50, 8, generator=g), torch.randn(37,
                                                               8,
                                                               generator=g)
    labels = torch.randint(0, 5, (50, ), generator=g)
    full = knn_classify(bank, labels, query, k=5)
    chunked = knn_classify(bank, labels, query, k=5, chunk_size=4)
    assert torch.equal(full, chunked)


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match='metric'):
        knn_classify(BANK, BANK_LABELS, BANK, metric='l1')
    with pytest.raises(ValueError, match='k must be'):
        knn_classify(BANK, BANK_LABELS, BANK, k=5)
    with pytest.raises(ValueError, match='features'):
        knn_classify(BANK, BANK_LABELS, torch.zeros(2, 3))
    with pytest.raises(ValueError, match='labels'):
        knn_classify(BANK, BANK_LABELS[:3], BANK)


def test_pool_and_backbone_features():
    gcn_map = torch.arange(2 * 2 * 3 * 4 * 5,
                           dtype=torch.float).view(2, 2, 3, 4, 5)
    pooled = pool_features(gcn_map)
    torch.testing.assert_close(pooled, gcn_map.mean(dim=(1, 3, 4)))

    class Flat(torch.nn.Module):

        def forward(self, x):  # (N', M, T, V, C) -> (N', C)
            return x.mean(dim=(1, 2, 3))

    inputs = torch.randn(3, 2, 1, 4, 5, 3)  # 2 clips per sample
    feats = backbone_features(Flat(), inputs)
    torch.testing.assert_close(feats, inputs.mean(dim=(1, 2, 3, 4)))
