"""Video self-supervised pre-training with instance and temporal contrast.

TimeBalance's stage 1 (Dave et al., CVPR 2023; official code
DAVEISHAN/TimeBalance ``pretraining.py``), one model for its three runs:

- ``mode='invariant'`` (the temporally-invariant teacher):
  ``L_IC_global + L_IC_local``;
- ``mode='distinctive'`` (the temporally-distinctive teacher, TCLR's
  temporal terms): ``L_LL + L_GL``;
- ``mode='all'`` (the student initialisation, TCLR): all four.

Per video the pipeline (``SparseDenseSampleFrames`` + decode +
``SparseDenseViews``) yields one sparse clip and ``T`` dense clips tiling its
span, each under two augmentations: views ``sparse_a{a}``, ``dense{j}_a{a}``.
All clips go through the backbone in one pass; the
:class:`~mmssar.models.heads.TemporalSliceProjector` gives a global
embedding per clip and ``S = T`` slice ("local") embeddings per sparse clip.

- ``L_IC_global`` = NT-Xent(sparse a0, sparse a1) over the global batch.
- ``L_IC_local`` = (1/4) x the sum over the 2T x (2T - 1) ordered pairs of
  distinct dense clips of a video (different times and/or augmentations)
  of NT-Xent(clip, clip') over the global batch: clips of different times
  of a video are positives (temporal invariance).
- ``L_LL`` (:class:`LocalLocalContrastiveLoss`): within a video, dense clip
  j of a0 and of a1 are positives, other times negatives.
- ``L_GL`` (:class:`GlobalLocalContrastiveLoss`): slice j of the sparse clip
  matches dense clip j; summed over the 4 (sparse aug, dense aug) pairs.

Cross-rank: the global embeddings are gathered once with
:func:`~mmssar.models.utils.dist_utils.gather_with_grad` for the instance
terms; the temporal terms are per video (local). The backbone is
``self.backbone``, so a checkpoint initialises a recognizer with
``prefix='backbone.'``.
"""
from typing import Dict, Optional

import torch
from mmengine.model import BaseModel
from torch import Tensor

from mmssar.registry import MODELS
from ..data_preprocessors.multi_view_data_preprocessor import \
    MultiViewDataPreprocessor  # noqa: F401 (registers the default)
from ..losses.global_local_contrastive import GlobalLocalContrastiveLoss
from ..losses.local_local_contrastive import LocalLocalContrastiveLoss
from ..losses.nt_xent import nt_xent
from ..utils.dist_utils import gather_with_grad
from .collapse_metrics import embedding_std

MODES = dict(
    invariant=('ic_global', 'ic_local'),
    distinctive=('ll', 'gl'),
    all=('ic_global', 'ic_local', 'll', 'gl'))


@MODELS.register_module()
class TemporalContrastivePretrainer(BaseModel):
    """Backbone + slice projector + TimeBalance / TCLR pretext losses.

    Args:
        backbone (dict): Any MMAction2 3D backbone returning
            ``(N, C, T, H, W)`` (SlowOnly-R50 in the paper).
        neck (dict): ``TemporalSliceProjector`` config (``in_channels`` =
            C; ``num_slices`` must equal ``num_dense``).
        mode (str): ``'invariant'``, ``'distinctive'`` or ``'all'``.
        num_dense (int): Dense clips per video T. Defaults to 4.
        num_augs (int): Augmentations per clip (2).
        temperature (float): Of every term. Defaults to 0.1.
        loss_weights (dict, optional): Per term (``ic_global``,
            ``ic_local``, ``ll``, ``gl``); defaults to 1 for the terms of
            ``mode``.
        gather (bool): Gather the instance terms' embeddings across ranks.
            Defaults to True.
        ll_reduction (str): ``'sum'`` over videos (official) or ``'mean'``.
        data_preprocessor (dict, optional): Defaults to a
            ``MultiViewDataPreprocessor`` around an identity
            ``ActionDataPreprocessor`` (NCTHW).
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 mode: str = 'all',
                 num_dense: int = 4,
                 num_augs: int = 2,
                 temperature: float = 0.1,
                 loss_weights: Optional[Dict[str, float]] = None,
                 gather: bool = True,
                 ll_reduction: str = 'sum',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='ActionDataPreprocessor', format_shape='NCTHW')
        if data_preprocessor.get('type') != 'MultiViewDataPreprocessor':
            data_preprocessor = dict(
                type='MultiViewDataPreprocessor',
                data_preprocessor=data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if mode not in MODES:
            raise ValueError(f'mode must be one of {sorted(MODES)}, got '
                             f'{mode!r}')
        if num_augs != 2:
            raise ValueError('the pretext terms pair two augmentations: '
                             f'num_augs must be 2, got {num_augs}')
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        if self.neck.num_slices != num_dense:
            raise ValueError(f'neck.num_slices ({self.neck.num_slices}) must '
                             f'equal num_dense ({num_dense}): slice j of the '
                             'sparse clip matches dense clip j')
        self.mode = mode
        self.num_dense = num_dense
        self.num_augs = num_augs
        self.temperature = temperature
        self.gather = gather
        weights = {k: 1.0 for k in MODES[mode]}
        unknown = set(loss_weights or {}) - set(MODES['all'])
        if unknown:
            raise KeyError(f'unknown loss_weights {sorted(unknown)}; valid: '
                           f'{list(MODES["all"])}')
        weights.update({k: float(v) for k, v in (loss_weights or {}).items()
                        if k in MODES[mode]})
        self.loss_weights = weights
        self.ll_loss = LocalLocalContrastiveLoss(temperature, ll_reduction)
        self.gl_loss = GlobalLocalContrastiveLoss(temperature)

    # ---------------------------------------------------------- helpers
    def view_names(self):
        return ([f'sparse_a{a}' for a in range(self.num_augs)],
                [[f'dense{j}_a{a}' for j in range(self.num_dense)]
                 for a in range(self.num_augs)])

    def embed(self, inputs: Dict[str, Tensor]):
        """All views in one backbone pass.

        Args:
            inputs (dict[str, Tensor]): view -> ``(N, 1, C, T, H, W)`` or
                ``(N, C, T, H, W)``.

        Returns:
            tuple: ``glob`` view -> ``(N, D)``; ``local`` view -> ``(N, S,
            D)`` for the sparse views.
        """
        names = list(inputs)
        xs = [x.flatten(0, 1) if x.dim() == 6 else x for x in inputs.values()]
        n = xs[0].shape[0]
        feat = self.backbone(torch.cat(xs))
        if isinstance(feat, (tuple, list)):
            feat = feat[-1]
        glob, local = self.neck(feat)
        glob = dict(zip(names, glob.split(n)))
        local = dict(zip(names, local.split(n)))
        return glob, {k: v for k, v in local.items() if k.startswith('sparse')}

    def pretext_losses(self, glob: Dict[str, Tensor],
                       local: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """The terms of :attr:`mode`, weighted (see the module docstring)."""
        sparse, dense = self.view_names()
        w, tau, out = self.loss_weights, self.temperature, {}
        if 'ic_global' in w:
            # (N, 2 + 2T, D): gathered once for both instance terms
            every = torch.stack(
                [glob[v] for v in sparse + dense[0] + dense[1]], dim=1)
            if self.gather:
                every = gather_with_grad(every)
            every = every.transpose(0, 1)  # (2 + 2T, Ng, D)
            out['loss_ic_global'] = w['ic_global'] * nt_xent(
                every[0], every[1], tau)
            clips = every[2:]
            i, k = torch.triu_indices(len(clips), len(clips), offset=1)
            # NT-Xent is symmetric: ordered pairs = 2 x unordered pairs
            pair_sum = 2 * nt_xent(clips[i], clips[k], tau).sum()
            out['loss_ic_local'] = w['ic_local'] * pair_sum / 4
        if 'll' in w:
            d0 = torch.stack([glob[v] for v in dense[0]], dim=1)
            d1 = torch.stack([glob[v] for v in dense[1]], dim=1)
            out['loss_ll'] = w['ll'] * self.ll_loss(d0, d1)
        if 'gl' in w:
            gl = 0
            for s in sparse:
                for d in dense:
                    gl = gl + self.gl_loss(
                        local[s], torch.stack([glob[v] for v in d], dim=1))
            out['loss_gl'] = w['gl'] * gl
        return out

    # ---------------------------------------------------------- forward
    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if not isinstance(inputs, dict):
            raise TypeError(
                'TemporalContrastivePretrainer expects a dict of views; end '
                'the pipeline with SparseDenseViews')
        sparse, dense = self.view_names()
        missing = sorted(set(sparse + dense[0] + dense[1]) - set(inputs))
        if missing:
            raise KeyError(f'TemporalContrastivePretrainer needs views '
                           f'{missing}; the pipeline produced '
                           f'{sorted(inputs)}')
        glob, local = self.embed(inputs)
        if mode == 'tensor':
            return glob
        if mode == 'loss':
            losses = self.pretext_losses(glob, local)
            with torch.no_grad():
                losses['emb_std'] = embedding_std(glob[sparse[0]].detach())
            return losses
        raise RuntimeError(f'TemporalContrastivePretrainer has no mode '
                           f'{mode!r} (it has loss and tensor)')
