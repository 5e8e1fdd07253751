"""Two-component 1-D Gaussian mixture turning confidences into reliability."""
from typing import Dict

import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS

_LOG_2PI = 1.8378770664093453


@TASK_UTILS.register_module()
class GMMReliability(nn.Module):
    """Reliability = posterior of the high-mean component of a 2-GMM.

    :meth:`fit` runs EM in torch on a 1-D sample (e.g. the confidences held
    in a feature bank); :meth:`forward` returns, for any confidences, the
    posterior probability of the component with the larger mean ("clean").
    :meth:`step` counts calls and refits every ``interval`` of them, so a
    recognizer calls it once per iteration.

    State in buffers (checkpointed, exact resume, moves with ``.to()``):
    ``means`` (2,), ``variances`` (2,), ``weights`` (2,) (component 1 is the
    high-mean one), ``fitted`` () bool and ``num_steps`` () long. EM is
    deterministic (quantile initialisation), so ranks holding the same bank
    hold the same mixture without communicating.

    Degenerate cases: with fewer than ``min_samples`` values, or a spread
    (std) below ``min_std`` (e.g. all confidences equal), the mixture is
    marked not fitted and every reliability is ``fallback``.

    Args:
        interval (int): Refit every ``interval`` calls of :meth:`step`.
            Defaults to 1.
        max_iters (int): EM iterations. Defaults to 50.
        tol (float): Stop when the mean log-likelihood improves by less.
            Defaults to 1e-5.
        reg_var (float): Added to each variance (keeps them positive).
            Defaults to 1e-6.
        min_samples (int): Fewest values to fit on. Defaults to 8.
        min_std (float): Smallest spread to fit on. Defaults to 1e-6.
        fallback (float): Reliability while not fitted, in [0, 1].
            Defaults to 1.0 (no evidence against any sample).
        monotone (bool): Values above the high mean get at least the
            posterior at the high mean (a narrow high component would
            otherwise hand the very confident tail to the wide low one).
            Defaults to True.
    """

    def __init__(self, interval: int = 1, max_iters: int = 50,
                 tol: float = 1e-5, reg_var: float = 1e-6,
                 min_samples: int = 8, min_std: float = 1e-6,
                 fallback: float = 1.0, monotone: bool = True) -> None:
        super().__init__()
        if interval < 1 or max_iters < 1 or min_samples < 2:
            raise ValueError(
                'GMMReliability: interval >= 1, max_iters >= 1 and '
                f'min_samples >= 2 required, got {interval}, {max_iters}, '
                f'{min_samples}')
        if not 0.0 <= fallback <= 1.0:
            raise ValueError(
                f'GMMReliability: fallback must be in [0, 1], got {fallback}')
        self.interval = interval
        self.max_iters = max_iters
        self.tol = tol
        self.reg_var = reg_var
        self.min_samples = min_samples
        self.min_std = min_std
        self.fallback = fallback
        self.monotone = monotone
        self.register_buffer('means', torch.zeros(2))
        self.register_buffer('variances', torch.ones(2))
        self.register_buffer('weights', torch.full((2, ), 0.5))
        self.register_buffer('fitted', torch.zeros((), dtype=torch.bool))
        self.register_buffer('num_steps', torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def step(self, values: Tensor) -> bool:
        """Count one call; refit on ``values`` when it is due.

        Args:
            values (Tensor): (Q,) the current sample (e.g. bank confidences).

        Returns:
            bool: Whether a fit ran.
        """
        due = int(self.num_steps) % self.interval == 0
        self.num_steps += 1
        if due:
            self.fit(values)
        return due

    @staticmethod
    def _log_normal(x: Tensor, means: Tensor, variances: Tensor) -> Tensor:
        """(Q,) x (2,) -> (Q, 2) log densities."""
        return -0.5 * (_LOG_2PI + variances.log() +
                       (x[:, None] - means)**2 / variances)

    @torch.no_grad()
    def fit(self, values: Tensor) -> None:
        """EM of a 2-component 1-D mixture on ``values`` (Q,)."""
        x = values.detach().reshape(-1).double()
        x = x[torch.isfinite(x)]
        if x.numel() < self.min_samples or x.std() < self.min_std:
            self.fitted.fill_(False)
            return
        means = torch.quantile(x, x.new_tensor([0.25, 0.75]))
        if means[1] - means[0] < self.min_std:  # mass on one value
            means = torch.stack([x.min(), x.max()])
        variances = x.var().expand(2).clone() + self.reg_var
        weights = x.new_full((2, ), 0.5)
        prev = None
        for _ in range(self.max_iters):
            log_p = self._log_normal(x, means, variances) + weights.log()
            norm = log_p.logsumexp(dim=1, keepdim=True)
            resp = (log_p - norm).exp()  # (Q, 2)
            nk = resp.sum(0).clamp(min=1e-10)
            weights = (nk / x.numel()).clamp(min=1e-6)
            weights = weights / weights.sum()
            means = (resp * x[:, None]).sum(0) / nk
            variances = (resp * (x[:, None] - means)**2).sum(0) / nk + \
                self.reg_var
            ll = norm.mean()
            if prev is not None and abs(float(ll - prev)) < self.tol:
                break
            prev = ll
        order = means.argsort()
        self.means.copy_(means[order])
        self.variances.copy_(variances[order])
        self.weights.copy_(weights[order])
        self.fitted.fill_(True)

    @torch.no_grad()
    def posterior(self, values: Tensor) -> Tensor:
        """Posterior of the high-mean component, ignoring ``fitted``."""
        x = values.detach().double()
        shape = x.shape
        x = x.reshape(-1)
        means = self.means.double().to(x.device)
        variances = self.variances.double().to(x.device)
        log_w = self.weights.double().to(x.device).log()
        log_p = self._log_normal(x, means, variances) + log_w
        post = (log_p[:, 1] - log_p.logsumexp(dim=1)).exp()
        if self.monotone:
            at_mean = self._posterior_at(means[1:], means, variances, log_w)
            post = torch.where(x >= means[1], post.clamp(min=float(at_mean)),
                               post)
        dtype = values.dtype if values.is_floating_point() else \
            torch.float32
        return post.reshape(shape).to(dtype)

    def _posterior_at(self, x, means, variances, log_w):
        log_p = self._log_normal(x, means, variances) + log_w
        return (log_p[:, 1] - log_p.logsumexp(dim=1)).exp()[0]

    def forward(self, values: Tensor) -> Tensor:
        """Reliability of each value.

        Args:
            values (Tensor): Confidences, any shape.

        Returns:
            Tensor: Same shape, in [0, 1]; ``fallback`` while not fitted.
        """
        if not bool(self.fitted):
            return torch.full(values.shape, self.fallback,
                              dtype=torch.float32, device=values.device)
        return self.posterior(values).float()

    def log_values(self) -> Dict[str, float]:
        return dict(gmm_fitted=float(self.fitted),
                    gmm_mean_low=float(self.means[0]),
                    gmm_mean_high=float(self.means[1]))

    def extra_repr(self) -> str:
        return (f'interval={self.interval}, max_iters={self.max_iters}, '
                f'fallback={self.fallback}, monotone={self.monotone}')
