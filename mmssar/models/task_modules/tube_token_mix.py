"""Tube-TokenMix (SVFormer, kept by SeFAR) on pixel clips."""
from typing import NamedTuple, Optional

import torch
from torch import Tensor, nn

from mmssar.registry import TASK_UTILS


class TokenMixResult(NamedTuple):
    """Attributes:
        inputs (Tensor): Mixed clips, the input's shape.
        lam (float): Share of the first clip's tokens, ``ones / tokens``.
        perm (Tensor): ``(N,)`` partner of each sample.
        mask (Tensor): ``(gh, gw)`` token mask (1: from the sample itself).
    """
    inputs: Tensor
    lam: float
    perm: Tensor
    mask: Tensor


@TASK_UTILS.register_module()
class TubeTokenMix(nn.Module):
    """Mix each clip with a partner clip through one spatial token mask
    shared by every frame (a "tube"), every clip and every sample.

    λ ~ Beta(α, α); exactly ``floor(λ · P)`` of the ``P = gh · gw`` patch
    positions come from the sample itself, the rest from its partner
    ``perm[i]``. Mixing whole ``patch_size`` pixel patches equals mixing
    the tokens after a ViT's patch embedding (a per-patch linear map), which
    is where SVFormer/SeFAR mix; for CNN students it is a tube-CutMix on the
    same grid. SeFAR's code draws one mask per element and a permutation
    per element (only the last one is used for the targets); here one mask
    and one permutation serve the whole clip, so targets and inputs agree.

    Args:
        alpha (float): Beta parameter. Defaults to 10 (SeFAR).
        patch_size (int): Token size in pixels; H and W must be multiples.
            Defaults to 16.
    """

    def __init__(self, alpha: float = 10., patch_size: int = 16) -> None:
        super().__init__()
        if alpha <= 0:
            raise ValueError(f'alpha must be > 0, got {alpha}')
        if patch_size < 1:
            raise ValueError(f'patch_size must be >= 1, got {patch_size}')
        self.alpha = float(alpha)
        self.patch_size = int(patch_size)

    def sample_lambda(self) -> float:
        """One λ ~ Beta(α, α), from torch's global RNG (seeded, restored on
        resume)."""
        g = torch._standard_gamma(torch.full((2, ), self.alpha))
        return float(g[0] / g.sum())

    def token_mask(self, lam: float, gh: int, gw: int,
                   generator: Optional[torch.Generator] = None) -> Tensor:
        """``(gh, gw)`` float mask with ``floor(lam · gh · gw)`` ones."""
        num = gh * gw
        ones = int(lam * num)
        mask = torch.zeros(num)
        mask[torch.randperm(num, generator=generator)[:ones]] = 1.
        return mask.view(gh, gw)

    def forward(self,
                inputs: Tensor,
                perm: Optional[Tensor] = None,
                lam: Optional[float] = None,
                generator: Optional[torch.Generator] = None
                ) -> TokenMixResult:
        """Mix a batch.

        Args:
            inputs (Tensor): ``(N, ..., H, W)`` clips, e.g.
                ``(N, num_clips, C, T, H, W)``.
            perm (Tensor, optional): ``(N,)`` partners; a random
                permutation when None.
            lam (float, optional): λ; drawn when None.
            generator (torch.Generator, optional): CPU generator of the
                mask and the permutation (λ uses the global RNG).

        Returns:
            TokenMixResult: ``lam`` is the realised token share.
        """
        n, h, w = inputs.shape[0], inputs.shape[-2], inputs.shape[-1]
        p = self.patch_size
        if h % p or w % p:
            raise ValueError(f'TubeTokenMix(patch_size={p}) needs H and W '
                             f'divisible by {p}; got {h}x{w}')
        if perm is None:
            perm = torch.randperm(n, generator=generator)
        if lam is None:
            lam = self.sample_lambda()
        mask = self.token_mask(lam, h // p, w // p, generator)
        pixels = mask.repeat_interleave(p, 0).repeat_interleave(p, 1)
        pixels = pixels.to(device=inputs.device, dtype=inputs.dtype)
        perm = perm.to(inputs.device)
        mixed = pixels * inputs + (1 - pixels) * inputs[perm]
        return TokenMixResult(mixed, float(mask.mean()), perm, mask)

    def extra_repr(self) -> str:
        return f'alpha={self.alpha}, patch_size={self.patch_size}'
