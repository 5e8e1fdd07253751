"""MLP projection of pooled backbone features for contrastive losses."""
from typing import Optional

from mmengine.model import BaseModule
from torch import Tensor, nn

from mmssar.registry import MODELS


@MODELS.register_module()
class ProjectionHead(BaseModule):
    """Global average pool, then ``num_layers`` Linear-BN(-ReLU) blocks.

    The LTG contrastive head: three bias-free linear layers with BN and ReLU
    between them and a final BN without affine parameters.

    Args:
        in_channels (int): Channels of the backbone feature.
        hidden_channels (int): Width of the hidden layers. Defaults to 512.
        out_channels (int): Embedding size. Defaults to 512.
        num_layers (int): Number of linear layers. Defaults to 3.
        final_norm (bool): A non-affine BN after the last layer.
            Defaults to True.
        norm (bool): BN after the hidden layers (and ``final_norm``).
            False gives a plain MLP with biases, whose output for a sample
            does not depend on the rest of the batch, e.g. to project
            memory-bank entries with the same weights as the queries.
            Defaults to True.
        init_cfg (dict, optional): Defaults to normal init with std 0.01.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 512,
                 out_channels: int = 512,
                 num_layers: int = 3,
                 final_norm: bool = True,
                 norm: bool = True,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        layers = []
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [
            out_channels
        ]
        for i in range(num_layers):
            layers.append(nn.Linear(dims[i], dims[i + 1], bias=not norm))
            if i < num_layers - 1:
                if norm:
                    layers.append(nn.BatchNorm1d(dims[i + 1]))
                layers.append(nn.ReLU(inplace=True))
            elif final_norm and norm:
                layers.append(nn.BatchNorm1d(dims[i + 1], affine=False))
        self.mlp = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """``(N, C, ...)`` feature map -> ``(N, out_channels)``."""
        if x.dim() > 2:
            x = x.flatten(2).mean(dim=2)
        return self.mlp(x)
