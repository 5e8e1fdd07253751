"""Supervised-contrastive loss against a bank, positives and negatives
selected by reliability (ACL)."""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmssar.registry import MODELS

_SELECTIONS = ('hard', 'soft')


@MODELS.register_module()
class ReliableSupConLoss(nn.Module):
    """SupCon of queries against bank entries chosen by reliability.

    For query ``i`` with (pseudo-)label ``y_i`` and bank entry ``j`` with
    pseudo-label ``b_j`` and reliability ``r_j``:

    - positive if ``b_j == y_i`` and ``r_j >= pos_threshold``;
    - negative if ``b_j != y_i`` and ``r_j >= neg_threshold`` (an unreliable
      entry of another pseudo-class may in truth be of class ``y_i``: a
      false negative, hence its own threshold);
    - with ``selection='soft'`` every selected entry also counts with weight
      ``r_j`` (in the positive average and in the denominator).

    ::

        l_i = - sum_{j in P_i} w_j log( exp(s_ij / t)
                                / sum_{k in P_i + N_i} w_k exp(s_ik / t) )
              / sum_{j in P_i} w_j

    with ``s`` the cosine similarity. The loss is the ``query_weights``-
    weighted mean of ``l_i`` over queries with at least one positive and a
    positive weight; 0 (with a graph) when there is none. Bank entries are
    constants; the bank is identical on every rank, so each rank computes
    its own queries' term and DDP's gradient averaging does the rest.

    Args:
        temperature (float): t. Defaults to 0.1.
        pos_threshold (float): Reliability of a positive. Defaults to 0.5.
        neg_threshold (float): Reliability of a negative. Defaults to 0.0.
        selection (str): ``'hard'`` or ``'soft'``. Defaults to ``'hard'``.
        loss_weight (float): Multiplier. Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1, pos_threshold: float = 0.5,
                 neg_threshold: float = 0.0, selection: str = 'hard',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError('ReliableSupConLoss: temperature must be > 0, '
                             f'got {temperature}')
        if selection not in _SELECTIONS:
            raise ValueError(f'ReliableSupConLoss: selection must be one of '
                             f'{_SELECTIONS}, got {selection!r}')
        self.temperature = temperature
        self.pos_threshold = pos_threshold
        self.neg_threshold = neg_threshold
        self.selection = selection
        self.loss_weight = loss_weight
        self.last_stats: Dict[str, float] = {}

    def select(self, query_labels: Tensor, bank_labels: Tensor,
               bank_reliability: Tensor):
        """Positive and negative weights, each (B, Q), 0 = not selected."""
        same = query_labels[:, None] == bank_labels[None, :]
        valid = bank_labels[None, :] >= 0
        r = bank_reliability[None, :]
        if not r.is_floating_point():
            r = r.float()
        pos = same & valid & (r >= self.pos_threshold)
        neg = ~same & valid & (r >= self.neg_threshold)
        if self.selection == 'soft':
            return pos * r, neg * r
        return pos.float(), neg.float()

    def forward(self, queries: Tensor, query_labels: Tensor,
                bank_features: Tensor, bank_labels: Tensor,
                bank_reliability: Tensor,
                query_weights: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            queries (Tensor): (B, D) embeddings (with gradient).
            query_labels (Tensor): (B,) labels or pseudo-labels.
            bank_features (Tensor): (Q, D) bank embeddings (constants).
            bank_labels (Tensor): (Q,) pseudo-labels, -1 = empty slot.
            bank_reliability (Tensor): (Q,) in [0, 1].
            query_weights (Tensor, optional): (B,) per-query weights
                (e.g. the query's own reliability). Defaults to ones.

        Returns:
            Tensor: Scalar.
        """
        if queries.dim() != 2 or bank_features.dim() != 2 or \
                queries.shape[1] != bank_features.shape[1]:
            raise ValueError(
                'ReliableSupConLoss: queries (B, D) and bank (Q, D) expected, '
                f'got {tuple(queries.shape)} and {tuple(bank_features.shape)}')
        b, q = queries.shape[0], bank_features.shape[0]
        if query_labels.shape != (b, ) or bank_labels.shape != (q, ) or \
                bank_reliability.shape != (q, ):
            raise ValueError('ReliableSupConLoss: labels / reliability do '
                             'not match the queries and the bank')
        if query_weights is None:
            query_weights = queries.new_ones(b)
        if b == 0 or q == 0:
            self.last_stats = dict(acl_num_pos=0., acl_num_neg=0.,
                                   acl_active=0.)
            return queries.sum() * 0.0
        pos_w, neg_w = self.select(query_labels.to(bank_labels.device),
                                   bank_labels, bank_reliability)
        pos_w, neg_w = pos_w.to(queries), neg_w.to(queries)
        sim = F.normalize(queries, dim=1) @ F.normalize(
            bank_features.detach().to(queries), dim=1).t() / self.temperature
        all_w = pos_w + neg_w
        # log sum_k w_k exp(s_k) over the selected entries; a large finite
        # fill (not -inf) keeps rows without any selection NaN-free in
        # backward (they carry no loss)
        log_den = (sim + all_w.clamp(min=1e-30).log()).masked_fill(
            all_w <= 0, -1e9).logsumexp(dim=1, keepdim=True)
        n_pos = pos_w.sum(1)
        active = (n_pos > 0) & (query_weights.to(queries) > 0)
        log_prob = (sim - log_den).masked_fill(pos_w <= 0, 0.0)
        per_query = -(pos_w * log_prob).sum(1) / n_pos.clamp(min=1e-12)
        w = query_weights.to(queries) * active
        self.last_stats = dict(
            acl_num_pos=float((pos_w > 0).sum(1).float().mean()),
            acl_num_neg=float((neg_w > 0).sum(1).float().mean()),
            acl_active=float(active.float().mean()))
        if not active.any():
            return queries.sum() * 0.0
        per_query = torch.where(active, per_query, per_query.new_zeros(()))
        return self.loss_weight * (w * per_query).sum() / w.sum()

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, pos_threshold='
                f'{self.pos_threshold}, neg_threshold={self.neg_threshold}, '
                f'selection={self.selection!r}')
