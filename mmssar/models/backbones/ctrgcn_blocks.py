"""CTR-GCN building blocks in the small configuration used by SCD-Net.

SCD-Net's feature extractor is a 3-unit CTR-GCN (Chen et al., ICCV 2021):
channel-wise topology refinement graph convolutions followed by a multi-scale
temporal convolution, all with temporal stride 1. The blocks here follow the
official SCD-Net code (cong-wu/SCD-Net: ``model/ctrgcn.py``) in structure and
initialisation, but are written for MMAction2's tensor conventions and take the
graph from :class:`mmaction.models.utils.Graph` so any layout works.

Tensor layout inside the blocks is ``(N*M, C, T, V)``.
"""
from typing import Sequence

import numpy as np
import torch
import torch.nn as nn

# Layouts and graph building are shared with the data transforms.
from mmssar.utils.skeleton_graphs import (  # noqa: F401
    EXTRA_LAYOUTS, build_graph, resolve_layout)


def _conv_init(conv: nn.Conv2d) -> None:
    nn.init.kaiming_normal_(conv.weight, mode='fan_out')
    if conv.bias is not None:
        nn.init.constant_(conv.bias, 0)


def _bn_init(bn: nn.modules.batchnorm._BatchNorm, scale: float) -> None:
    nn.init.constant_(bn.weight, scale)
    nn.init.constant_(bn.bias, 0)


class CTRGC(nn.Module):
    """Channel-wise topology refinement graph convolution (one subset).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        rel_reduction (int): Channel reduction of the relation branch.
            Defaults to 8.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 rel_reduction: int = 8) -> None:
        super().__init__()
        # Raw coordinates (3 or 9 channels upstream; also 2-D poses or tiny
        # test widths here) are too narrow to reduce, so use 8 relation
        # channels like the official code does for 3/9 inputs.
        if in_channels in (3, 9) or in_channels < rel_reduction:
            rel_channels = 8
        else:
            rel_channels = in_channels // rel_reduction
        self.conv1 = nn.Conv2d(in_channels, rel_channels, 1)
        self.conv2 = nn.Conv2d(in_channels, rel_channels, 1)
        self.conv3 = nn.Conv2d(in_channels, out_channels, 1)
        self.conv4 = nn.Conv2d(rel_channels, out_channels, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                _conv_init(m)

    def forward(self, x: torch.Tensor, A: torch.Tensor,
                alpha: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, V) -> (N, C_out, T, V); A (V, V) is the subset."""
        # Relations from temporally pooled embeddings: (N, R, V, V).
        x1 = self.conv1(x).mean(-2)
        x2 = self.conv2(x).mean(-2)
        rel = torch.tanh(x1.unsqueeze(-1) - x2.unsqueeze(-2))
        topo = self.conv4(rel) * alpha + A[None, None]
        return torch.einsum('ncuv,nctv->nctu', topo, self.conv3(x))


class UnitGCN(nn.Module):
    """Spatial graph convolution: sum of CTR-GC over the graph subsets.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        A (np.ndarray): Subset adjacency, shape (K, V, V).
        adaptive (bool): Learn the adjacency (initialised from ``A``).
        residual (bool): Add a (projected) residual.
        rel_reduction (int): See :class:`CTRGC`.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 A: np.ndarray,
                 adaptive: bool = True,
                 residual: bool = True,
                 rel_reduction: int = 8) -> None:
        super().__init__()
        self.num_subset = A.shape[0]
        self.convs = nn.ModuleList([
            CTRGC(in_channels, out_channels, rel_reduction)
            for _ in range(self.num_subset)
        ])
        if not residual:
            self.down = None
        elif in_channels != out_channels:
            self.down = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1),
                nn.BatchNorm2d(out_channels))
        else:
            self.down = nn.Identity()
        A = torch.from_numpy(np.asarray(A, dtype=np.float32))
        if adaptive:
            self.PA = nn.Parameter(A)
        else:
            self.register_buffer('A', A)
        self.adaptive = adaptive
        # alpha starts at 0 so training starts from the plain graph.
        self.alpha = nn.Parameter(torch.zeros(1))
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                _conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                _bn_init(m, 1)
        # Near-zero BN scale: the block starts close to its residual path.
        _bn_init(self.bn, 1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        A = self.PA if self.adaptive else self.A
        y = sum(conv(x, A[i], self.alpha) for i, conv in enumerate(self.convs))
        y = self.bn(y)
        if self.down is not None:
            y = y + self.down(x)
        return self.relu(y)


class _TemporalConvBN(nn.Sequential):
    """(k x 1) temporal convolution + BN."""

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int,
                 stride: int = 1,
                 dilation: int = 1) -> None:
        pad = (kernel_size + (kernel_size - 1) * (dilation - 1) - 1) // 2
        super().__init__(
            nn.Conv2d(
                in_channels,
                out_channels, (kernel_size, 1),
                padding=(pad, 0),
                stride=(stride, 1),
                dilation=(dilation, 1)), nn.BatchNorm2d(out_channels))


class MultiScaleTCN(nn.Module):
    """Multi-scale temporal convolution (one branch per dilation + max + 1x1).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels; divisible by
            ``len(dilations) + 2``.
        kernel_size (int): Temporal kernel of the dilated branches.
        stride (int): Temporal stride.
        dilations (Sequence[int]): Dilations of the conv branches.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 5,
                 stride: int = 1,
                 dilations: Sequence[int] = (1, 2)) -> None:
        super().__init__()
        num_branches = len(dilations) + 2
        if out_channels % num_branches:
            raise ValueError(
                f'MultiScaleTCN: out_channels ({out_channels}) must be '
                f'divisible by len(dilations) + 2 = {num_branches}')
        mid = out_channels // num_branches

        def stem():
            return [
                nn.Conv2d(in_channels, mid, 1),
                nn.BatchNorm2d(mid),
                nn.ReLU(inplace=True)
            ]

        branches = [
            nn.Sequential(*stem(),
                          _TemporalConvBN(mid, mid, kernel_size, stride, d))
            for d in dilations
        ]
        branches.append(
            nn.Sequential(*stem(),
                          nn.MaxPool2d((3, 1), (stride, 1), (1, 0)),
                          nn.BatchNorm2d(mid)))
        branches.append(
            nn.Sequential(
                nn.Conv2d(in_channels, mid, 1, stride=(stride, 1)),
                nn.BatchNorm2d(mid)))
        self.branches = nn.ModuleList(branches)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                _conv_init(m)
            elif isinstance(m, nn.BatchNorm2d):
                # Same as the official init: BN scale ~ N(1, 0.02).
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.constant_(m.bias, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class TCNGCNUnit(nn.Module):
    """One CTR-GCN unit: UnitGCN -> MultiScaleTCN, plus a unit residual.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        A (np.ndarray): Subset adjacency (K, V, V).
        stride (int): Temporal stride. Defaults to 1.
        residual (bool): Unit-level residual. Defaults to True.
        adaptive (bool): Learnable adjacency. Defaults to True.
        kernel_size (int): TCN kernel. Defaults to 5.
        dilations (Sequence[int]): TCN dilations. Defaults to (1, 2).
        rel_reduction (int): See :class:`CTRGC`.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 A: np.ndarray,
                 stride: int = 1,
                 residual: bool = True,
                 adaptive: bool = True,
                 kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2),
                 rel_reduction: int = 8) -> None:
        super().__init__()
        self.gcn = UnitGCN(
            in_channels,
            out_channels,
            A,
            adaptive=adaptive,
            rel_reduction=rel_reduction)
        self.tcn = MultiScaleTCN(
            out_channels,
            out_channels,
            kernel_size=kernel_size,
            stride=stride,
            dilations=dilations)
        if not residual:
            self.residual = None
        elif in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            conv = nn.Conv2d(
                in_channels, out_channels, 1, stride=(stride, 1))
            bn = nn.BatchNorm2d(out_channels)
            _conv_init(conv)
            _bn_init(bn, 1)
            self.residual = nn.Sequential(conv, bn)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.tcn(self.gcn(x))
        if self.residual is not None:
            y = y + self.residual(x)
        return self.relu(y)


class SmallCTRGCN(nn.Module):
    """SCD-Net's 3-unit CTR-GCN feature extractor.

    Widths ``in -> base -> 4*base -> base``, temporal stride 1 everywhere
    (so T is preserved), input BatchNorm over ``M*V*C``.

    Args:
        A (np.ndarray): Subset adjacency (K, V, V).
        in_channels (int): Coordinate channels (3 for 3-D, 2 for 2-D).
        num_person (int): Persons M (sets the input BN size).
        base_channels (int): Width ``C'`` of the output. Defaults to 64.
        **unit_kwargs: ``kernel_size``, ``dilations``, ``adaptive``,
            ``rel_reduction`` for every unit.

    Shapes:
        input (N, M, T, V, C) -> output (N*M, C', T, V).
    """

    def __init__(self,
                 A: np.ndarray,
                 in_channels: int = 3,
                 num_person: int = 2,
                 base_channels: int = 64,
                 **unit_kwargs) -> None:
        super().__init__()
        num_joints = A.shape[-1]
        self.data_bn = nn.BatchNorm1d(num_person * num_joints * in_channels)
        _bn_init(self.data_bn, 1)
        self.l1 = TCNGCNUnit(
            in_channels, base_channels, A, residual=False, **unit_kwargs)
        self.l2 = TCNGCNUnit(base_channels, base_channels * 4, A,
                             **unit_kwargs)
        self.l3 = TCNGCNUnit(base_channels * 4, base_channels, A,
                             **unit_kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, M, T, V, C = x.shape
        # BN statistics per (person, joint, channel), as in the official code.
        x = x.permute(0, 1, 3, 4, 2).reshape(N, M * V * C, T)
        x = self.data_bn(x)
        x = x.view(N, M, V, C, T).permute(0, 1, 3, 4, 2)
        x = x.reshape(N * M, C, T, V)
        return self.l3(self.l2(self.l1(x)))


def xavier_init_2d_params(module: nn.Module) -> None:
    """Xavier-uniform init of every 2-D parameter (linear/attention weights).

    The official SCD-Net applies this to the whole encoder after building it
    (scd/builder.py ``weights_init``); conv kernels (4-D), BN and the
    learnable adjacency (3-D) are untouched.
    """
    with torch.no_grad():
        for param in module.parameters():
            if param.dim() == 2:
                nn.init.xavier_uniform_(param)


__all__ = [
    'CTRGC', 'UnitGCN', 'MultiScaleTCN', 'TCNGCNUnit', 'SmallCTRGCN',
    'build_graph', 'resolve_layout', 'EXTRA_LAYOUTS', 'xavier_init_2d_params'
]
