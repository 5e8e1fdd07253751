"""k-nearest-neighbour evaluation of frozen features (SCD-Net / CMD
"retrieval" protocol: 1-NN, cosine similarity on L2-normalised features of
the whole training split, queried with the test split).

Used by ``tools/misc/knn_eval.py``; usable on any skeleton backbone whose
output is a flat feature, an MMAction2 GCN map ``(N, M, C, T, V)`` or an
``SCDNetEncoder`` (which exposes ``extract_feat``).
"""
from typing import Iterable, Optional, Tuple

import torch
import torch.nn.functional as F

METRICS = ('cosine', 'euclidean')


def _similarity(query: torch.Tensor, bank: torch.Tensor,
                metric: str) -> torch.Tensor:
    """(Q, D) x (B, D) -> (Q, B), larger = closer."""
    if metric == 'cosine':
        return F.normalize(query, dim=1) @ F.normalize(bank, dim=1).t()
    return -torch.cdist(query, bank)


def knn_classify(bank_feats: torch.Tensor,
                 bank_labels: torch.Tensor,
                 query_feats: torch.Tensor,
                 k: int = 1,
                 metric: str = 'cosine',
                 num_classes: Optional[int] = None,
                 chunk_size: int = 1024) -> torch.Tensor:
    """Predict query labels by a majority vote of their ``k`` nearest bank
    samples.

    Ties between classes with the same number of votes go to the class of
    the nearest neighbour among them (each vote carries a tiny bonus that
    decreases with its rank).

    Args:
        bank_feats (torch.Tensor): (B, D) features of the labeled bank.
        bank_labels (torch.Tensor): (B,) integer labels.
        query_feats (torch.Tensor): (Q, D) features to classify.
        k (int): Number of neighbours. Defaults to 1.
        metric (str): ``'cosine'`` (features L2-normalised, as the official
            retrieval) or ``'euclidean'``. Defaults to ``'cosine'``.
        num_classes (int, optional): Defaults to ``max(label) + 1``.
        chunk_size (int): Queries per similarity block (bounds memory to
            ``chunk_size x B`` floats). Defaults to 1024.

    Returns:
        torch.Tensor: (Q,) predicted labels (int64).
    """
    if metric not in METRICS:
        raise ValueError(f'knn_classify: metric must be one of {METRICS}, '
                         f'got {metric!r}')
    if bank_feats.dim() != 2 or query_feats.dim() != 2 or \
            bank_feats.shape[1] != query_feats.shape[1]:
        raise ValueError(
            f'knn_classify: expected (B, D) bank and (Q, D) query features, '
            f'got {tuple(bank_feats.shape)} and {tuple(query_feats.shape)}')
    bank_labels = torch.as_tensor(bank_labels, dtype=torch.long)
    if bank_labels.shape != (bank_feats.shape[0], ):
        raise ValueError(f'knn_classify: {bank_feats.shape[0]} bank features '
                         f'but labels of shape {tuple(bank_labels.shape)}')
    if not 1 <= k <= bank_feats.shape[0]:
        raise ValueError(f'knn_classify: k must be in [1, '
                         f'{bank_feats.shape[0]}] (bank size), got {k}')
    if num_classes is None:
        num_classes = int(bank_labels.max()) + 1
    bank_feats = bank_feats.float()
    # rank bonus < 1 / k, so it only ever breaks ties between equal counts
    bonus = torch.linspace(1e-3, 0, k + 1)[:k]
    preds = []
    for start in range(0, query_feats.shape[0], chunk_size):
        query = query_feats[start:start + chunk_size].float()
        sim = _similarity(query, bank_feats, metric)
        idx = sim.topk(k, dim=1).indices  # (q, k), nearest first
        votes = torch.zeros(query.shape[0], num_classes)
        votes.scatter_add_(1, bank_labels[idx],
                           (1 + bonus).expand(query.shape[0], k).clone())
        preds.append(votes.argmax(dim=1))
    return torch.cat(preds) if preds else torch.zeros(0, dtype=torch.long)


def knn_accuracy(bank_feats: torch.Tensor,
                 bank_labels: torch.Tensor,
                 query_feats: torch.Tensor,
                 query_labels: torch.Tensor,
                 k: int = 1,
                 metric: str = 'cosine') -> float:
    """Top-1 accuracy (%) of :func:`knn_classify` on labeled queries."""
    query_labels = torch.as_tensor(query_labels, dtype=torch.long)
    num_classes = int(
        max(torch.as_tensor(bank_labels).max(), query_labels.max())) + 1
    preds = knn_classify(bank_feats, bank_labels, query_feats, k, metric,
                         num_classes)
    return float((preds == query_labels).float().mean() * 100)


def pool_features(feat: torch.Tensor) -> torch.Tensor:
    """Reduce a backbone output to one vector per sample.

    ``(N, D)`` is kept; ``(N, M, C, T, V)`` (MMAction2 GCN backbones, and
    ``SCDNetEncoder``'s ``'gcn_head'`` layout) is averaged over time, joints
    and persons; ``(N, C, ...)`` is averaged over the trailing dimensions.
    """
    if feat.dim() == 2:
        return feat
    if feat.dim() == 5:
        return feat.mean(dim=(3, 4)).mean(dim=1)
    if feat.dim() in (3, 4):
        return feat.flatten(2).mean(dim=2)
    raise ValueError(f'pool_features: unsupported feature shape '
                     f'{tuple(feat.shape)}')


@torch.no_grad()
def backbone_features(backbone: torch.nn.Module,
                      inputs: torch.Tensor) -> torch.Tensor:
    """Features of a skeleton batch ``(N, num_clips, M, T, V, C)`` (as
    ``PackActionInputs`` + ``ActionDataPreprocessor`` give it), averaged over
    clips -> (N, D). A backbone with ``extract_feat`` (``SCDNetEncoder``)
    gives its downstream representation directly."""
    if inputs.dim() != 6:
        raise ValueError(f'backbone_features: expected (N, num_clips, M, T, '
                         f'V, C) inputs, got {tuple(inputs.shape)}')
    n, clips = inputs.shape[:2]
    flat = inputs.flatten(0, 1)
    if hasattr(backbone, 'extract_feat'):
        feat = backbone.extract_feat(flat)
    else:
        feat = backbone(flat)
    feat = pool_features(feat)
    return feat.view(n, clips, -1).mean(dim=1)


@torch.no_grad()
def extract_features(
        model: torch.nn.Module,
        dataloader: Iterable) -> Tuple[torch.Tensor, torch.Tensor]:
    """Frozen features and labels of every sample of ``dataloader``.

    Args:
        model (torch.nn.Module): An MMAction2 recognizer (``backbone`` and
            ``data_preprocessor`` attributes), put in eval mode here.
        dataloader (Iterable): Yields MMEngine batches (``inputs``,
            ``data_samples`` with ``gt_label``).

    Returns:
        tuple[torch.Tensor]: (N, D) float features on the CPU and (N,)
        labels.
    """
    model.eval()
    feats, labels = [], []
    for batch in dataloader:
        data = model.data_preprocessor(batch, False)
        feats.append(backbone_features(model.backbone, data['inputs']).cpu())
        labels.extend(int(s.gt_label.item()) for s in data['data_samples'])
    if not feats:
        raise ValueError('extract_features: the dataloader is empty')
    return torch.cat(feats), torch.tensor(labels, dtype=torch.long)
