"""SCD-Net self-supervised pre-training (Wu et al., AAAI 2024).

Official code: cong-wu/SCD-Net (``scd/builder.py``, ``pretraining.py``,
``options/options_pretraining.py``, README).

Objective: a query encoder sees view 1 ("query"), a momentum key encoder sees
view 2 ("key"); both produce temporal ``z_t``, spatial ``z_s`` and instance
anchor ``z_i`` embeddings (128-d, L2-normalised). Only the four cross-level
InfoNCE terms are used, each with the negatives of the KEY level's queue::

    L = l(q_t -> k_i | Q_i) + l(q_s -> k_i | Q_i)
      + l(q_i -> k_t | Q_t) + l(q_i -> k_s | Q_s)
    l(q -> k | Q) = CE([q.k, q.Q^T] / tau, target 0), averaged over the batch

Views are not swapped. After the loss, ``k_t, k_s, k_i`` are enqueued into
``Q_t, Q_s, Q_i`` (:class:`~mmssar.models.memories.FeatureBank` memories,
started as random unit vectors like the official queues).

``negatives='batch'`` (not official) replaces each queue by the other
samples' keys of the current global batch (gathered across ranks, no
gradient): ``l(q -> k | K) = CE([q.K^T] / tau, target = own row)``. On a
small data set (NW-UCLA, a few hundred CPU iterations) the queue let the
representation collapse (mean pairwise cosine 0.999 across clips) while
in-batch negatives, which are never stale, did not. With several ranks,
each rank's loss averages over its own queries, against all ranks' keys.

Every iteration also logs collapse monitors on the instance embedding of
the query view (local batch): ``emb_std`` (per-dimension std, ~1/sqrt(D)
when spread, 0 when collapsed), ``emb_erank`` (effective rank) and
``partner_top1`` (in-batch partner retrieval of ``q_i`` among ``k_i``;
chance 1/N).

Momentum update: like the official code (and MoCo), inside ``forward`` under
``no_grad`` and BEFORE the key forward: ``theta_k <- m theta_k + (1 - m)
theta_q`` over parameters only (buffers such as the key encoder's BN running
statistics are its own). Doing it in the forward keeps DDP correct: key
parameters never require grad, so DDP ignores them, and every rank applies
the same deterministic update to identical (synchronised) query parameters.

Defaults (official):

=====================  ===============  =================================
setting                README command   ``pretraining.py`` argparse
=====================  ===============  =================================
queue size K           8192             16384 (``SCD_Net`` class: 65536)
temperature tau        0.2              0.07
momentum m             0.999            0.999
feature dim            128              128
batch size             64 (1 GPU)       256
optimiser              SGD lr 0.01,     SGD lr 0.001, momentum 0.9,
                       momentum 0.9,    wd 1e-4
                       wd 1e-4
epochs / lr steps      451 / [351]      200 / [100, 160], x0.1 each
input frames           64 (crop ratio U(0.1, 1), min 64 frames)
=====================  ===============  =================================

The class defaults follow the README command (the recipe behind the released
log and the paper's numbers).

Inputs: ``inputs`` is either a dict ``{'query': Tq, 'key': Tk}`` (as produced
per sample by a ``MultiView(views=dict(query=[...], key=[...]))`` pipeline and
batched by the data preprocessor; values may be stacked tensors or lists of
per-sample tensors) or one tensor with the views on dim 1,
``(N, 2, ...)`` (index 0 = query). Each view is ``(N, M, T, V, C)`` or, as
``PackActionInputs`` makes it, ``(N, num_clips, M, T, V, C)`` (clips are
flattened into the batch).
"""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import get_rank
from mmengine.model import BaseModel

from mmssar.registry import MODELS
from ..backbones.scdnet import SCDNetProjector
from ..memories import FeatureBank
from ..utils.dist_utils import all_gather_rows, all_gather_sizes
from .collapse_metrics import effective_rank, embedding_std, partner_retrieval

_NEGATIVES = ('queue', 'batch')
_LEVELS = ('t', 's', 'i')


def info_nce_with_queue(query: torch.Tensor, key: torch.Tensor,
                        queue: torch.Tensor, temperature: float):
    """MoCo InfoNCE: positive ``query.key``, negatives ``query.queue``.

    Args:
        query (torch.Tensor): (N, D), normalised.
        key (torch.Tensor): (N, D), normalised, no grad.
        queue (torch.Tensor): (K, D) negatives.
        temperature (float): Softmax temperature.

    Returns:
        tuple: loss (scalar, batch mean) and logits (N, 1 + K), positive at
        column 0.
    """
    pos = (query * key).sum(dim=1, keepdim=True)
    neg = query @ queue.detach().t()
    logits = torch.cat([pos, neg], dim=1) / temperature
    target = logits.new_zeros(logits.shape[0], dtype=torch.long)
    return F.cross_entropy(logits, target), logits


def info_nce_in_batch(query: torch.Tensor, keys: torch.Tensor,
                      temperature: float, offset: int = 0):
    """InfoNCE with the batch's keys: query row ``i`` is positive with key
    row ``offset + i`` and negative with every other key.

    Args:
        query (torch.Tensor): (N, D) local queries, normalised.
        keys (torch.Tensor): (B, D) keys of the global batch (all ranks
            concatenated in rank order), normalised, no grad; B >= offset + N.
        temperature (float): Softmax temperature.
        offset (int): Row of this rank's first key in ``keys``
            (the sum of the lower ranks' batch sizes). Defaults to 0.

    Returns:
        tuple: loss (scalar, mean over the local queries), logits (N, B) and
        targets (N,).
    """
    if keys.shape[0] < offset + query.shape[0]:
        raise ValueError(f'info_nce_in_batch: {keys.shape[0]} keys cannot '
                         f'hold the partners of {query.shape[0]} queries at '
                         f'offset {offset}')
    logits = query @ keys.detach().t() / temperature
    target = torch.arange(query.shape[0], device=query.device) + offset
    return F.cross_entropy(logits, target), logits, target


@MODELS.register_module()
class SCDNetPretrainer(BaseModel):
    """MoCo-style cross-level contrastive pre-training of SCD-Net.

    The query encoder is ``self.backbone`` so that a checkpoint of this model
    loads into ``RecognizerGCN(backbone=SCDNetEncoder(...))`` by key name
    (``backbone.*``); the key encoder, projectors and queues become
    "unexpected keys" there.

    Args:
        backbone (dict): Config of the encoder, normally ``SCDNetEncoder``.
            It must expose ``forward_clues(x) -> (v_t, v_s)`` and ``d_model``.
        proj_dim (int): Embedding width. Defaults to 128.
        proj_hidden_dim (int, optional): Projector hidden width; ``None``
            means the encoder's ``d_model`` (official).
        queue_size (int): Length K of each of the three queues (unused with
            ``negatives='batch'``). Defaults to 8192.
        temperature (float): InfoNCE temperature. Defaults to 0.2.
        momentum (float): Key encoder EMA momentum. Defaults to 0.999.
        negatives (str): ``'queue'`` (official: each level's FIFO queue of
            past keys) or ``'batch'`` (the other samples' keys of the current
            batch, gathered across ranks; no queue is built).
            Defaults to ``'queue'``.
        view_keys (Sequence[str]): Names of the query and key views in a
            dict input. Defaults to ``('query', 'key')``.
        data_preprocessor (dict, optional): Defaults to MMEngine's
            ``BaseDataPreprocessor`` (device transfer only), which keeps dict
            inputs intact (MMAction2's ``ActionDataPreprocessor`` does not).
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 backbone: dict,
                 proj_dim: int = 128,
                 proj_hidden_dim: Optional[int] = None,
                 queue_size: int = 8192,
                 temperature: float = 0.2,
                 momentum: float = 0.999,
                 negatives: str = 'queue',
                 view_keys: Sequence[str] = ('query', 'key'),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='BaseDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f'momentum must be in [0, 1], got {momentum}')
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        if negatives not in _NEGATIVES:
            raise ValueError(f'negatives must be one of {_NEGATIVES}, got '
                             f'{negatives!r}')
        if len(view_keys) != 2:
            raise ValueError(f'view_keys must name 2 views, got {view_keys}')
        self.backbone = MODELS.build(backbone)
        self.projector = SCDNetProjector(
            in_dim=self.backbone.d_model,
            hidden_dim=proj_hidden_dim,
            out_dim=proj_dim)
        # The key encoder starts as an exact copy and is only moved by EMA.
        self.key_backbone = copy.deepcopy(self.backbone)
        self.key_projector = copy.deepcopy(self.projector)
        for param in self._key_params():
            param.requires_grad_(False)

        self.temperature = temperature
        self.momentum = momentum
        self.view_keys = tuple(view_keys)
        self.negatives = negatives
        if negatives == 'queue':
            for level in _LEVELS:
                self.add_module(
                    f'{level}_queue',
                    FeatureBank(
                        queue_size, proj_dim, fields={}, init='random_unit'))
            self._register_load_state_dict_pre_hook(self._load_legacy_queues)

    @staticmethod
    def _load_legacy_queues(state_dict, prefix, *args) -> None:
        """Checkpoints written before the queues became ``FeatureBank``s
        store ``*_queue.queue`` and no ``num_valid``: rename, and mark the
        (always full) queues as full."""
        for level in _LEVELS:
            old = f'{prefix}{level}_queue.queue'
            if old in state_dict and \
                    f'{prefix}{level}_queue.features' not in state_dict:
                queue = state_dict.pop(old)
                state_dict[f'{prefix}{level}_queue.features'] = queue
                state_dict.setdefault(
                    f'{prefix}{level}_queue.num_valid',
                    torch.full((1, ), queue.shape[0], dtype=torch.long))

    def init_weights(self) -> None:
        super().init_weights()
        # A Pretrained init_cfg may have changed the query side: re-copy.
        with torch.no_grad():
            for p_q, p_k in zip(self._query_params(), self._key_params()):
                p_k.copy_(p_q)

    def _query_params(self):
        yield from self.backbone.parameters()
        yield from self.projector.parameters()

    def _key_params(self):
        yield from self.key_backbone.parameters()
        yield from self.key_projector.parameters()

    @torch.no_grad()
    def momentum_update(self) -> None:
        """theta_k <- m * theta_k + (1 - m) * theta_q (parameters only)."""
        for p_q, p_k in zip(self._query_params(), self._key_params()):
            p_k.mul_(self.momentum).add_(p_q.detach(), alpha=1 - self.momentum)

    # ----------------------------------------------------------------- data
    @staticmethod
    def _as_batch(view: Union[torch.Tensor, List[torch.Tensor]],
                  name: str) -> torch.Tensor:
        if isinstance(view, (list, tuple)):
            view = torch.stack(list(view))
        if not isinstance(view, torch.Tensor):
            raise TypeError(f'SCDNetPretrainer: view "{name}" must be a '
                            f'tensor or list of tensors, got {type(view)}')
        if view.dim() == 6:  # (N, num_clips, M, T, V, C) from PackActionInputs
            view = view.flatten(0, 1)
        if view.dim() != 5:
            raise ValueError(
                f'SCDNetPretrainer: view "{name}" must be (N, M, T, V, C) or '
                f'(N, num_clips, M, T, V, C), got {tuple(view.shape)}')
        return view.float()

    def split_views(self, inputs):
        """Return the (query, key) batches, each (N, M, T, V, C)."""
        if isinstance(inputs, dict):
            missing = [k for k in self.view_keys if k not in inputs]
            if missing:
                raise KeyError(f'SCDNetPretrainer: inputs dict lacks views '
                               f'{missing}; it has {sorted(inputs)}')
            return tuple(
                self._as_batch(inputs[k], k) for k in self.view_keys)
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(list(inputs))
        if not isinstance(inputs, torch.Tensor) or inputs.dim() < 2 \
                or inputs.shape[1] != 2:
            raise ValueError(
                'SCDNetPretrainer: tensor inputs must hold the two views on '
                'dim 1, i.e. (N, 2, [num_clips,] M, T, V, C); got '
                f'{getattr(inputs, "shape", type(inputs))}')
        return (self._as_batch(inputs[:, 0], self.view_keys[0]),
                self._as_batch(inputs[:, 1], self.view_keys[1]))

    # ---------------------------------------------------------------- model
    def extract_feat(self, inputs) -> torch.Tensor:
        """Downstream feature ``[v_t; v_s]`` (N, 2*d_model) of the query
        encoder. ``inputs`` is a (N[, num_clips], M, T, V, C) tensor or a
        two-view input (then the query view is used)."""
        if isinstance(inputs, dict) or (isinstance(inputs, torch.Tensor)
                                        and inputs.dim() == 7):
            x = self.split_views(inputs)[0]
        else:
            x = self._as_batch(inputs, 'inputs')
        return self.backbone.extract_feat(x)

    def _embed(self, backbone: nn.Module, projector: nn.Module,
               x: torch.Tensor):
        vt, vs = backbone.forward_clues(x)
        return [F.normalize(z, dim=1) for z in projector(vt, vs)]

    def loss(self, inputs, data_samples=None) -> Dict[str, torch.Tensor]:
        """The four cross-level InfoNCE losses with their contrast
        accuracies (``acc_*``) and the collapse monitors (``emb_std``,
        ``emb_erank``, ``partner_top1``); with queues, enqueue the keys."""
        x_q, x_k = self.split_views(inputs)
        if x_q.shape != x_k.shape:
            raise ValueError(f'SCDNetPretrainer: query view {tuple(x_q.shape)}'
                             f' and key view {tuple(x_k.shape)} differ')
        qt, qs, qi = self._embed(self.backbone, self.projector, x_q)
        with torch.no_grad():
            self.momentum_update()
            kt, ks, ki = self._embed(self.key_backbone, self.key_projector,
                                     x_k)

        queries = dict(t=qt, s=qs, i=qi)
        keys = dict(t=kt, s=ks, i=ki)
        # (query level, key level): the key level's negatives
        terms = {'ti': ('t', 'i'), 'si': ('s', 'i'), 'it': ('i', 't'),
                 'is': ('i', 's')}
        if self.negatives == 'queue':
            losses = self._queue_losses(queries, keys, terms)
        else:
            losses = self._batch_losses(queries, keys, terms)
        losses.update(
            emb_std=embedding_std(qi),
            emb_erank=effective_rank(qi),
            partner_top1=partner_retrieval(qi, ki))
        return losses

    def _queue_losses(self, queries, keys, terms) -> Dict[str, torch.Tensor]:
        # Snapshots: autograd keeps the negatives for the backward pass, and
        # the in-place enqueue below must not modify them.
        negatives = {
            level: getattr(self, f'{level}_queue').features.clone()
            for level in _LEVELS
        }
        losses = dict()
        for name, (q_level, k_level) in terms.items():
            loss, logits = info_nce_with_queue(queries[q_level],
                                               keys[k_level],
                                               negatives[k_level],
                                               self.temperature)
            losses[f'loss_{name}'] = loss
            with torch.no_grad():
                # (1 + K)-way contrast accuracy, as logged upstream.
                losses[f'acc_{name}'] = (logits.argmax(dim=1) == 0).float(
                ).mean()
        # Enqueue only after all logits used the old queues (as upstream).
        for level in _LEVELS:
            getattr(self, f'{level}_queue').push(keys[level])
        return losses

    def _batch_losses(self, queries, keys, terms) -> Dict[str, torch.Tensor]:
        n = keys['i'].shape[0]
        sizes = all_gather_sizes(n, keys['i'].device)
        offset = sum(sizes[:get_rank()])
        global_keys = {
            level: all_gather_rows(keys[level], sizes)
            for level in _LEVELS
        }
        losses = dict()
        for name, (q_level, k_level) in terms.items():
            loss, logits, target = info_nce_in_batch(
                queries[q_level], global_keys[k_level], self.temperature,
                offset)
            losses[f'loss_{name}'] = loss
            with torch.no_grad():
                # B-way contrast accuracy (chance 1 / global batch size)
                losses[f'acc_{name}'] = (
                    logits.argmax(dim=1) == target).float().mean()
        return losses

    def forward(self,
                inputs,
                data_samples: Optional[list] = None,
                mode: str = 'loss'):
        """``mode='loss'``: dict of losses; ``'tensor'``: features
        (N, 2*d_model); ``'predict'``: data samples with the feature stored
        as ``pred_feat`` (for feature extraction / retrieval)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        if mode == 'predict':
            feats = self.extract_feat(inputs)
            if data_samples is None:
                return feats
            for sample, feat in zip(data_samples, feats):
                sample.set_field(feat.detach(), 'pred_feat')
            return data_samples
        raise RuntimeError(f'SCDNetPretrainer: invalid mode "{mode}"; use '
                           f'"loss", "tensor" or "predict"')
