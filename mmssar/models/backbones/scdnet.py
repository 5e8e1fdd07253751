"""SCD-Net encoder (Wu et al., AAAI 2024) and its pre-training projectors.

Architecture (official code: cong-wu/SCD-Net ``scd/scd_encoder.py``,
``model/ctrgcn.py``; defaults from ``options/options_pretraining.py``):

* two separate 3-unit CTR-GCN stacks (``in -> 64 -> 256 -> 64``, temporal
  stride 1), one feeding each clue branch;
* temporal clues: the GCN map is re-tokenised as ``T`` frame tokens of width
  ``M*V*C'`` (64 x 3200 on NTU), embedded by ``Linear-LN-ReLU-Linear`` to
  ``d_model`` (2048), passed through a 1-layer, 8-head post-norm Transformer
  encoder (feed-forward width = ``d_model``, dropout 0.1, no positional
  encoding) and max-pooled over tokens -> ``v_t`` (N, d_model);
* spatial clues: ``M*V`` joint tokens of width ``T*C'`` (50 x 4096 on NTU),
  own embedding and Transformer, max-pooled -> ``v_s`` (N, d_model);
* downstream representation ``[v_t; v_s]`` (N, 2*d_model = 4096);
* projectors (pre-training only, :class:`SCDNetProjector`): ``Linear(d, d) -
  ReLU - Linear(d, 128)`` for ``v_t`` and ``v_s`` and ``Linear(2d, d) - ReLU -
  Linear(d, 128)`` for the instance anchor ``[v_t; v_s]``;
* every 2-D parameter is Xavier-uniform initialised (``scd/builder.py``).

Because the spatial tokens concatenate all frames, ``num_frames`` is part of
the architecture: inputs must be resized to it (the official feeders resize
every clip to 64 frames, see
:class:`mmssar.datasets.transforms.SCDTemporalCropResize`).
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmssar.registry import MODELS
from .ctrgcn_blocks import SmallCTRGCN, build_graph, xavier_init_2d_params


def _token_embedding(in_dim: int, d_model: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(in_dim, d_model), nn.LayerNorm(d_model),
        nn.ReLU(inplace=True), nn.Linear(d_model, d_model))


def _transformer(d_model: int, num_heads: int, num_layers: int,
                 dim_feedforward: int, dropout: float) -> nn.Module:
    layer = nn.TransformerEncoderLayer(
        d_model,
        num_heads,
        dim_feedforward=dim_feedforward,
        dropout=dropout,
        batch_first=True)
    return nn.TransformerEncoder(
        layer, num_layers, enable_nested_tensor=False)


@MODELS.register_module()
class SCDNetEncoder(BaseModule):
    """Spatiotemporal clue disentanglement encoder of SCD-Net.

    Usable as the ``backbone`` of MMAction2's ``RecognizerGCN``: with the
    default ``out_layout='gcn_head'`` it returns the pooled representation
    shaped ``(N, 1, 2*d_model, 1, 1)``, which ``GCNHead(in_channels=
    2*d_model)`` consumes unchanged (its average pool over a 1x1 map and mean
    over one "person" are identities), giving exactly the official
    downstream classifier ``Linear(4096, num_classes)``.

    Args:
        graph_cfg (dict): Graph config, e.g. ``dict(layout='nturgb+d',
            mode='spatial')``. ``layout='nturgb+d_agcn'`` (default) is the
            2s-AGCN NTU bone list used by the official code; any MMAction2
            layout (name or dict) works. Only ``mode='spatial'`` (3 subsets)
            matches the official model, other modes also run.
        in_channels (int): Coordinate channels C. Defaults to 3.
        num_person (int): Persons M per sample. Defaults to 2.
        num_frames (int): Frames T per sample. Defaults to 64.
        base_channels (int): GCN output width C'. Defaults to 64.
        d_model (int): Token width of the Transformers. Defaults to 2048.
        num_heads (int): Attention heads. Defaults to 8.
        num_layers (int): Transformer layers per branch. Defaults to 1.
        dim_feedforward (int, optional): Transformer MLP width; ``None`` means
            ``d_model`` as in the official code.
        dropout (float): Transformer dropout. Defaults to 0.1.
        tcn_kernel_size (int): Multi-scale TCN kernel. Defaults to 5.
        tcn_dilations (Sequence[int]): TCN dilations. Defaults to (1, 2).
        adaptive (bool): Learnable adjacency. Defaults to True.
        rel_reduction (int): CTR-GC relation reduction. Defaults to 8.
        out_layout (str): ``'gcn_head'`` -> ``(N, 1, 2*d_model, 1, 1)``;
            ``'flat'`` -> ``(N, 2*d_model)``.
        frozen (bool): Linear-probe mode: no parameter requires grad and the
            encoder always stays in eval mode (BN statistics and dropout
            frozen, as the official linear evaluation keeps the whole model
            in eval mode). Defaults to False.
        init_cfg (dict, optional): MMEngine init config (e.g. ``Pretrained``
            with ``prefix='backbone.'`` to load a pre-training checkpoint).

    Shapes:
        input: ``(N, M, T, V, C)`` as ``RecognizerGCN`` feeds backbones.
    """

    def __init__(self,
                 graph_cfg: dict = dict(layout='nturgb+d_agcn',
                                        mode='spatial'),
                 in_channels: int = 3,
                 num_person: int = 2,
                 num_frames: int = 64,
                 base_channels: int = 64,
                 d_model: int = 2048,
                 num_heads: int = 8,
                 num_layers: int = 1,
                 dim_feedforward: Optional[int] = None,
                 dropout: float = 0.1,
                 tcn_kernel_size: int = 5,
                 tcn_dilations: Sequence[int] = (1, 2),
                 adaptive: bool = True,
                 rel_reduction: int = 8,
                 out_layout: str = 'gcn_head',
                 frozen: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if out_layout not in ('gcn_head', 'flat'):
            raise ValueError(f'SCDNetEncoder: out_layout must be "gcn_head" '
                             f'or "flat", got {out_layout!r}')
        self.graph = build_graph(graph_cfg)
        A = self.graph.A
        self.in_channels = in_channels
        self.num_person = num_person
        self.num_frames = num_frames
        self.num_joints = A.shape[-1]
        self.d_model = d_model
        self.out_layout = out_layout
        self.feat_dim = 2 * d_model

        gcn_kwargs = dict(
            in_channels=in_channels,
            num_person=num_person,
            base_channels=base_channels,
            kernel_size=tcn_kernel_size,
            dilations=tuple(tcn_dilations),
            adaptive=adaptive,
            rel_reduction=rel_reduction)
        # Two independent extractors: each branch gets its own GCN features.
        self.gcn_t = SmallCTRGCN(A, **gcn_kwargs)
        self.gcn_s = SmallCTRGCN(A, **gcn_kwargs)
        self.embed_t = _token_embedding(
            num_person * self.num_joints * base_channels, d_model)
        self.embed_s = _token_embedding(num_frames * base_channels, d_model)
        ffn = d_model if dim_feedforward is None else dim_feedforward
        self.transformer_t = _transformer(d_model, num_heads, num_layers, ffn,
                                          dropout)
        self.transformer_s = _transformer(d_model, num_heads, num_layers, ffn,
                                          dropout)
        xavier_init_2d_params(self)
        self.frozen = frozen
        if frozen:
            self.requires_grad_(False)
            self.eval()

    def train(self, mode: bool = True) -> 'SCDNetEncoder':
        return super().train(mode and not self.frozen)

    def _check_input(self, x: torch.Tensor) -> None:
        expected = (self.num_person, self.num_frames, self.num_joints,
                    self.in_channels)
        if x.dim() != 5 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f'SCDNetEncoder expects input (N, M, T, V, C) with '
                f'(M, T, V, C) = {expected} (num_person, num_frames, '
                f'graph joints, in_channels), got {tuple(x.shape)}')

    def forward_clues(self,
                      x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Compute the temporal and spatial clue vectors.

        Args:
            x (torch.Tensor): Skeletons (N, M, T, V, C).

        Returns:
            tuple[torch.Tensor]: ``v_t`` and ``v_s``, each (N, d_model).
        """
        self._check_input(x)
        N, M = x.shape[:2]

        ft = self.gcn_t(x)  # (N*M, C', T, V)
        _, C, T, V = ft.shape
        # Frame tokens: (N, T, M*V*C'), same flattening order as upstream.
        ft = ft.view(N, M, C, T, V).permute(0, 3, 1, 4, 2).reshape(N, T, -1)
        vt = self.transformer_t(self.embed_t(ft)).amax(dim=1)

        fs = self.gcn_s(x)
        # Joint tokens: (N, M*V, T*C').
        fs = fs.view(N, M, C, T, V).permute(0, 1, 4, 3, 2).reshape(
            N, M * V, T * C)
        vs = self.transformer_s(self.embed_s(fs)).amax(dim=1)
        return vt, vs

    def extract_feat(self, x: torch.Tensor) -> torch.Tensor:
        """Downstream representation ``[v_t; v_s]`` of shape (N, 2*d_model)
        (what the official linear probe and 1-NN retrieval use)."""
        return torch.cat(self.forward_clues(x), dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, M, T, V, C) -> (N, 1, 2*d_model, 1, 1) or (N, 2*d_model)."""
        feat = self.extract_feat(x)
        if self.out_layout == 'flat':
            return feat
        return feat[:, None, :, None, None]


@MODELS.register_module()
class SCDNetProjector(BaseModule):
    """The three pre-training projection heads of SCD-Net.

    Args:
        in_dim (int): Clue width (``d_model`` of the encoder). Defaults to
            2048.
        hidden_dim (int, optional): Hidden width; ``None`` means ``in_dim``.
        out_dim (int): Embedding width. Defaults to 128.
        init_cfg (dict, optional): MMEngine init config.

    Shapes:
        ``forward(v_t, v_s)`` with (N, in_dim) each -> ``(z_t, z_s, z_i)``,
        each (N, out_dim), NOT normalised.
    """

    def __init__(self,
                 in_dim: int = 2048,
                 hidden_dim: Optional[int] = None,
                 out_dim: int = 128,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        hidden_dim = in_dim if hidden_dim is None else hidden_dim

        def mlp(width):
            return nn.Sequential(
                nn.Linear(width, hidden_dim), nn.ReLU(inplace=True),
                nn.Linear(hidden_dim, out_dim))

        self.t_proj = mlp(in_dim)
        self.s_proj = mlp(in_dim)
        self.i_proj = mlp(2 * in_dim)
        xavier_init_2d_params(self)

    def forward(self, vt: torch.Tensor, vs: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        zi = self.i_proj(torch.cat([vt, vs], dim=1))
        return self.t_proj(vt), self.s_proj(vs), zi
