"""Cross-scale temporal calibration (MTL): the short clip attends over the
long clips and a gate decides how much of it to take."""
from typing import Dict, Optional, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmssar.registry import MODELS

_GATES = ('channel', 'scalar', 'none')


@MODELS.register_module()
class CrossScaleCalibration(BaseModule):
    """Calibrate a short-clip feature with long-clip tokens.

    ``q`` (N, C) is the short clip's pooled feature; ``tokens`` (N, L, Ck)
    are the long clips' tokens (one per clip, or one per time step of each
    long clip). Multi-head attention of ``q`` over the tokens picks the
    informative long-term semantics (attention weights (N, heads, L)); a
    gate computed from ``[q, context]`` suppresses what does not help::

        context = W_o · Attn(W_q q, W_k t, W_v t)        (N, C)
        g       = sigmoid(W_g [q, context])              (N, C) or (N, 1)
        out     = q + g * context                        (N, C)

    ``W_o`` starts at zero, so the module starts as the identity and the
    long clips enter only as training finds them useful.

    Args:
        in_channels (int): C, width of the short-clip feature (and of the
            output).
        token_channels (int, optional): Ck. Defaults to ``in_channels``.
        embed_channels (int): Attention width. Defaults to 256.
        num_heads (int): Attention heads (must divide ``embed_channels``).
            Defaults to 4.
        gate (str): ``'channel'`` (one gate per channel), ``'scalar'`` (one
            per sample) or ``'none'`` (g = 1). Defaults to ``'channel'``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, in_channels: int, token_channels: Optional[int] = None,
                 embed_channels: int = 256, num_heads: int = 4,
                 gate: str = 'channel',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if gate not in _GATES:
            raise ValueError(f'CrossScaleCalibration: gate must be one of '
                             f'{_GATES}, got {gate!r}')
        if embed_channels % num_heads:
            raise ValueError(
                f'CrossScaleCalibration: num_heads={num_heads} must divide '
                f'embed_channels={embed_channels}')
        token_channels = token_channels or in_channels
        self.in_channels = in_channels
        self.token_channels = token_channels
        self.num_heads = num_heads
        self.q_proj = nn.Linear(in_channels, embed_channels)
        self.k_proj = nn.Linear(token_channels, embed_channels)
        self.v_proj = nn.Linear(token_channels, embed_channels)
        self.out_proj = nn.Linear(embed_channels, in_channels)
        self.gate_type = gate
        self.gate = None if gate == 'none' else nn.Linear(
            2 * in_channels, in_channels if gate == 'channel' else 1)
        self._zero_out()
        self.last_stats: Dict[str, float] = {}

    def _zero_out(self) -> None:
        nn.init.zeros_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def init_weights(self) -> None:
        super().init_weights()
        self._zero_out()

    def forward(self, query: Tensor, tokens: Tensor,
                token_mask: Optional[Tensor] = None
                ) -> Tuple[Tensor, Tensor, Tensor]:
        """Calibrate.

        Args:
            query (Tensor): (N, C) short-clip features.
            tokens (Tensor): (N, L, Ck) long-clip tokens.
            token_mask (Tensor, optional): (N, L) bool, False = ignore.

        Returns:
            tuple[Tensor, Tensor, Tensor]: calibrated features (N, C),
            attention (N, heads, L) and gate (N, C) or (N, 1).
        """
        if query.dim() != 2 or query.shape[1] != self.in_channels:
            raise ValueError(f'CrossScaleCalibration: query must be (N, '
                             f'{self.in_channels}), got {tuple(query.shape)}')
        if tokens.dim() != 3 or tokens.shape[0] != query.shape[0] or \
                tokens.shape[2] != self.token_channels:
            raise ValueError(
                f'CrossScaleCalibration: tokens must be (N, L, '
                f'{self.token_channels}) with N={query.shape[0]}, got '
                f'{tuple(tokens.shape)}')
        n, length, _ = tokens.shape
        h = self.num_heads
        q = self.q_proj(query).view(n, h, 1, -1)
        k = self.k_proj(tokens).view(n, length, h, -1).transpose(1, 2)
        v = self.v_proj(tokens).view(n, length, h, -1).transpose(1, 2)
        logits = (q @ k.transpose(-1, -2))[:, :, 0] / k.shape[-1]**0.5
        if token_mask is not None:
            logits = logits.masked_fill(~token_mask[:, None, :], -1e9)
        attn = logits.softmax(dim=-1)  # (N, h, L)
        context = (attn[..., None] * v).sum(2).reshape(n, -1)
        context = self.out_proj(context)
        if self.gate is None:
            gate = context.new_ones(n, 1)
        else:
            gate = torch.sigmoid(self.gate(torch.cat([query, context], 1)))
        out = query + gate * context
        with torch.no_grad():
            ent = -(attn.clamp(min=1e-12).log() * attn).sum(-1).mean()
            self.last_stats = dict(mtl_gate=float(gate.mean()),
                                   mtl_attn_entropy=float(ent))
        return out, attn, gate
