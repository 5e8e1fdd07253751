"""Pseudo-label targets from a (detached) probability distribution."""
import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS


@TASK_UTILS.register_module()
class PseudoLabeler(nn.Module):
    """Hard (one-hot argmax) or soft (sharpened) pseudo-label targets.

    Args:
        hard (bool): Hard labels (FixMatch default) or soft targets.
            Defaults to True.
        temperature (float): Sharpening temperature of soft targets:
            ``softmax(logits / T)``. Ignored for hard labels. Defaults to 1.
    """

    def __init__(self, hard: bool = True, temperature: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError('temperature must be positive')
        self.hard = hard
        self.temperature = temperature

    @torch.no_grad()
    def forward(self, logits: Tensor) -> Tensor:
        """``(N, K)`` logits -> ``(N, K)`` target distribution."""
        if self.hard:
            return nn.functional.one_hot(
                logits.argmax(dim=-1), logits.shape[-1]).to(logits.dtype)
        return (logits / self.temperature).softmax(dim=-1)
