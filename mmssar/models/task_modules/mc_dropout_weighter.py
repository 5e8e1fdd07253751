"""SeFAR's Adaptive Regulation: per-sample weights from MC-dropout passes."""
import math
from typing import Tuple

import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS
from ..utils.recognizer_io import GroupOutput, mc_dropout_logits


def mc_dropout_output(recognizer: nn.Module, inputs: Tensor,
                      passes: int) -> GroupOutput:
    """``passes`` MC-dropout passes of a recognizer as one
    :class:`GroupOutput`.

    Args:
        recognizer (nn.Module): A stock recognizer (e.g. the EMA teacher).
        inputs (Tensor): ``(M, ...)`` one batch.
        passes (int): T.

    Returns:
        GroupOutput: ``clip_logits`` holds the T passes sample-major,
        ``(M * T, K)`` (row ``i * T + t`` = pass t of sample i); ``logits``
        is ``log p̄`` ``(M, K)`` (so its softmax is the mean probability of
        the passes); ``feats``/``clip_feats`` are empty ``(M, 0)``.
    """
    logits = mc_dropout_logits(recognizer, inputs, passes)  # (T, M, K)
    t, m, k = logits.shape
    mean_probs = logits.softmax(dim=-1).mean(dim=0)
    empty = logits.new_zeros(m, 0)
    return GroupOutput(
        logits=mean_probs.clamp_min(1e-12).log(),
        feats=empty,
        clip_logits=logits.transpose(0, 1).reshape(m * t, k),
        clip_feats=empty)


@TASK_UTILS.register_module()
class MCDropoutWeighter(nn.Module):
    """Weight = confidence part x certainty part of T teacher passes.

    With p̄ the mean and σ the (unbiased) standard deviation over T
    MC-dropout passes of the teacher's class probabilities and ŷ = argmax p̄::

        w = 2·sigmoid(exp(max p̄) − e) · 2·(sigmoid(1 / (s·σ[ŷ] + eps)) − ½)

    with s = 20, eps = 1e-9 (SeFAR's Adaptive Regulation; no threshold).
    w = 1 at (max p̄, σ) = (1, 0); the confidence part is in
    [2·sigmoid(1 − e), 1] ≈ [0.304, 1].

    As a template weighter it is called ``w(probs, step)`` and reads the
    passes from ``step.teachers[teacher][view].clip_logits`` as
    :func:`mc_dropout_output` lays them out (a single pass: σ = 0).

    Args:
        teacher (str): Teacher name. Defaults to ``'teacher'``.
        view (str): Unlabeled view of the passes. Defaults to ``'weak'``.
        sigma_scale (float): s. Defaults to 20.
        eps (float): Defaults to 1e-9.
    """

    def __init__(self,
                 teacher: str = 'teacher',
                 view: str = 'weak',
                 sigma_scale: float = 20.,
                 eps: float = 1e-9) -> None:
        super().__init__()
        self.teacher = teacher
        self.view = view
        self.sigma_scale = float(sigma_scale)
        self.eps = float(eps)

    def regulation(self, confidence: Tensor, sigma: Tensor) -> Tensor:
        """The weight formula. ``(M,)`` confidences and stds -> ``(M,)``."""
        conf_part = 2 * torch.sigmoid(confidence.exp() - math.e)
        cert_part = 2 * (torch.sigmoid(
            1. / (self.sigma_scale * sigma + self.eps)) - 0.5)
        return conf_part * cert_part

    def statistics(self, mc_logits: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """``(M, T, K)`` pass logits -> p̄ ``(M, K)``, max p̄ ``(M,)``,
        σ[ŷ] ``(M,)`` (0 for T = 1)."""
        probs = mc_logits.softmax(dim=-1)
        mean = probs.mean(dim=1)
        conf, label = mean.max(dim=-1)
        if probs.shape[1] > 1:
            std = probs.std(dim=1)  # unbiased, as the official code
            sigma = std.gather(1, label[:, None]).squeeze(1)
        else:
            sigma = torch.zeros_like(conf)
        return mean, conf, sigma

    def from_passes(self, mc_logits: Tensor) -> Tensor:
        """``(M, T, K)`` pass logits -> ``(M,)`` weights."""
        _, conf, sigma = self.statistics(mc_logits)
        return self.regulation(conf, sigma)

    def forward(self, probs: Tensor, step) -> Tensor:
        """A template weighter (see ``SemiRecognizer.apply_weighters``).

        Args:
            probs (Tensor): ``(M, K)`` pseudo-label probabilities (only their
                row count is used).
            step (SemiStep): Holds the teacher's MC passes.

        Returns:
            Tensor: ``(M,)`` weights in (0, 1].
        """
        try:
            out = step.teachers[self.teacher][self.view]
        except KeyError as err:
            raise KeyError(
                f'MCDropoutWeighter reads the passes of teacher '
                f'{self.teacher!r} on view {self.view!r}; this step has '
                f'{ {k: sorted(v) for k, v in step.teachers.items()} }'
            ) from err
        m = probs.shape[0]
        passes = out.clip_logits.view(m, -1, out.clip_logits.shape[-1])
        return self.from_passes(passes.float()).to(probs.dtype)

    def extra_repr(self) -> str:
        return (f'teacher={self.teacher!r}, view={self.view!r}, '
                f'sigma_scale={self.sigma_scale}, eps={self.eps}')
