"""Per-class EMA prototypes of labeled features, identical on every rank."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmssar.registry import MODELS
from ..utils.dist_utils import all_reduce_sum


@MODELS.register_module()
class ClassPrototypes(nn.Module):
    """Exponential moving average of the features of each class.

    State in buffers (saved in checkpoints, exact resume, moves with
    ``.to()``): ``prototypes`` (K, D), ``initialized`` (K,) bool and
    ``counts`` (K,) long (labeled samples seen per class, for monitoring).

    :meth:`update` sums features and counts per class over the GLOBAL batch
    (one all-reduce), so every rank applies the same update — the update a
    single process would apply to the concatenated batch. For each class
    present in the global batch with mean feature ``mu_c``::

        p_c <- mu_c                                 (first time)
        p_c <- momentum * p_c + (1 - momentum) * mu_c  (afterwards)

    ``momentum`` is the weight of the OLD prototype (as in MoCo and the
    SCD-Net key encoder). Classes absent from the global batch keep their
    prototype.

    Args:
        num_classes (int): Number of classes K.
        dim (int): Feature width D.
        momentum (float): Weight of the old prototype, in [0, 1).
            Defaults to 0.99.
        normalize (bool): L2-normalise each feature before averaging and the
            prototype after each update, so prototypes are unit directions
            and every sample weighs the same whatever its norm. Defaults to
            True.
        temperature (float): Default softmax temperature of
            :meth:`probabilities`. Defaults to 0.1.
        ignore_index (int): Labels equal to it are skipped (e.g. unlabeled
            rows of a mixed batch). Defaults to -1.
    """

    def __init__(self,
                 num_classes: int,
                 dim: int,
                 momentum: float = 0.99,
                 normalize: bool = True,
                 temperature: float = 0.1,
                 ignore_index: int = -1) -> None:
        super().__init__()
        if num_classes <= 0 or dim <= 0:
            raise ValueError(
                f'ClassPrototypes: num_classes and dim must be positive, got '
                f'num_classes={num_classes}, dim={dim}')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(
                f'ClassPrototypes: momentum must be in [0, 1), got {momentum}')
        if temperature <= 0:
            raise ValueError(
                f'ClassPrototypes: temperature must be > 0, got {temperature}')
        self.num_classes = num_classes
        self.dim = dim
        self.momentum = momentum
        self.normalize = normalize
        self.temperature = temperature
        self.ignore_index = ignore_index
        self.register_buffer('prototypes', torch.zeros(num_classes, dim))
        self.register_buffer('initialized',
                             torch.zeros(num_classes, dtype=torch.bool))
        self.register_buffer('counts',
                             torch.zeros(num_classes, dtype=torch.long))

    @torch.no_grad()
    def update(self, features: Tensor, labels: Tensor) -> None:
        """Move the prototypes of the classes in the global batch.

        A collective when distributed: every rank must call it, possibly
        with zero rows.

        Args:
            features (Tensor): (N, D) features of labeled samples.
            labels (Tensor): (N,) class indices in ``[0, K)`` or
                ``ignore_index``.
        """
        if features.dim() != 2 or features.shape[1] != self.dim:
            raise ValueError(f'ClassPrototypes.update: features must be (N, '
                             f'{self.dim}), got {tuple(features.shape)}')
        if labels.shape != (features.shape[0], ):
            raise ValueError(
                f'ClassPrototypes.update: labels must be '
                f'({features.shape[0]},), got {tuple(labels.shape)}')
        keep = labels != self.ignore_index
        features, labels = features[keep].detach(), labels[keep].long()
        if labels.numel() and (labels.min() < 0
                               or labels.max() >= self.num_classes):
            raise ValueError(
                f'ClassPrototypes.update: labels must be in [0, '
                f'{self.num_classes}) or {self.ignore_index}, got '
                f'{labels.min().item()}..{labels.max().item()}')
        features = features.to(self.prototypes)
        if self.normalize:
            features = F.normalize(features, dim=1)
        # sums (K, D) and counts (K, 1) in one tensor: one collective
        stats = features.new_zeros(self.num_classes, self.dim + 1)
        stats.index_add_(
            0, labels.to(stats.device),
            torch.cat([features, features.new_ones(len(labels), 1)], dim=1))
        stats = all_reduce_sum(stats)
        counts = stats[:, -1]
        present = counts > 0
        if not present.any():
            return
        means = stats[present, :-1] / counts[present, None]
        old = self.prototypes[present]
        fresh = ~self.initialized[present]
        new = self.momentum * old + (1 - self.momentum) * means
        new[fresh] = means[fresh]
        if self.normalize:
            new = F.normalize(new, dim=1)
        self.prototypes[present] = new
        self.initialized[present] = True
        self.counts[present] += counts[present].round().long()

    def similarity(self, features: Tensor) -> Tensor:
        """Cosine similarity of features to the prototypes.

        Args:
            features (Tensor): (N, D).

        Returns:
            Tensor: (N, K); 0 for classes that have no prototype yet.
        """
        if features.dim() != 2 or features.shape[1] != self.dim:
            raise ValueError(f'ClassPrototypes: features must be (N, '
                             f'{self.dim}), got {tuple(features.shape)}')
        protos = F.normalize(self.prototypes, dim=1)  # zero rows stay zero
        return F.normalize(features, dim=1) @ protos.to(features).t()

    def probabilities(self,
                      features: Tensor,
                      temperature: Optional[float] = None) -> Tensor:
        """Softmax over the initialised classes of similarity / temperature.

        Args:
            features (Tensor): (N, D).
            temperature (float, optional): Defaults to the constructor's.

        Returns:
            Tensor: (N, K) rows summing to 1; classes without a prototype get
            0, and every class 1/K while no class has one.
        """
        tau = self.temperature if temperature is None else temperature
        logits = self.similarity(features) / tau
        if not self.initialized.any():
            return torch.full_like(logits, 1.0 / self.num_classes)
        logits = logits.masked_fill(~self.initialized.to(logits.device),
                                    float('-inf'))
        return logits.softmax(dim=1)

    def confidence(self,
                   features: Tensor,
                   temperature: Optional[float] = None
                   ) -> Tuple[Tensor, Tensor]:
        """Prototype confidence: the largest probability and its class.

        Args:
            features (Tensor): (N, D).
            temperature (float, optional): Defaults to the constructor's.

        Returns:
            tuple[Tensor, Tensor]: confidence (N,) and class (N,) long.
        """
        return self.probabilities(features, temperature).max(dim=1)

    def extra_repr(self) -> str:
        return (f'num_classes={self.num_classes}, dim={self.dim}, '
                f'momentum={self.momentum}, normalize={self.normalize}')
