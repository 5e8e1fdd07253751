"""Confidence thresholds that turn pseudo-label confidences into a mask."""
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS


@TASK_UTILS.register_module()
class FixedThreshold(nn.Module):
    """Keep a pseudo-label when its confidence reaches ``threshold``.

    Args:
        threshold (float): The confidence threshold τ in [0, 1].
    """

    def __init__(self, threshold: float = 0.95) -> None:
        super().__init__()
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f'threshold must be in [0, 1], got {threshold}')
        self.threshold = float(threshold)

    def forward(self, probs: Tensor, step=None) -> Tensor:
        """A per-sample weighter (see ``SemiRecognizer.apply_weighters``).

        Args:
            probs (Tensor): ``(N, K)`` pseudo-label probabilities.
            step (SemiStep, optional): The training step (unused here).

        Returns:
            Tensor: ``(N,)`` float mask in {0, 1}.
        """
        return (probs.max(dim=-1).values >= self.threshold).to(probs.dtype)

    def log_values(self) -> dict:
        return dict(threshold=self.threshold)
