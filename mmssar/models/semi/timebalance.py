"""TimeBalance (Dave et al., CVPR 2023): distil two frozen teachers, mixed
per video by a temporal similarity score.

Official code: DAVEISHAN/TimeBalance (``train_semisup.py``). For every clip
``x`` (labeled and unlabeled) the target is::

    q(x) = s * softmax(f_I(x)) + (1 - s) * softmax(f_D(x))

with ``f_I`` the temporally-invariant and ``f_D`` the temporally-distinctive
teacher (both fine-tuned, frozen, eval mode, no grad) and ``s`` in [0, 1] the
video's temporal similarity score (high: the video looks alike over time,
trust the invariant teacher). Loss::

    CE(student(x_l), y) + 50 * D(student(x_l), q(x_l))
                        + 100 * D(student(x_u), q(x_u))

``D`` = MSE between ``softmax(student)`` and ``q`` (mean over classes,
then over samples, as the official mean over B x C) or KL(q || student).
Student and teachers see the same clip; no weak/strong views, no threshold,
no EMA.
"""
from typing import Dict, List

import torch
import torch.nn.functional as F
from torch import Tensor

from mmssar.registry import MODELS
from ..utils.recognizer_io import GroupOutput, run_recognizer
from .base import SemiRecognizer
from .semi_step import PseudoLabels, SemiStep

TEACHERS = ('inv', 'dist')


def distillation_loss(logits: Tensor, target: Tensor, weights: Tensor,
                      kind: str = 'mse') -> Tensor:
    """Student logits ``(M, K)`` vs. target probabilities ``(M, K)``.

    ``'mse'``: ``mean_k (softmax(logits) - target)^2`` per sample;
    ``'kl'``: ``sum_k target (log target - log_softmax(logits))``. Then the
    ``(M,)``-weighted mean over samples (0 for an empty batch).
    """
    if logits.shape[0] == 0:
        return logits.sum() * 0
    if kind == 'mse':
        per = (logits.softmax(-1) - target).pow(2).mean(-1)
    elif kind == 'kl':
        per = F.kl_div(logits.log_softmax(-1), target,
                       reduction='none').sum(-1)
    else:
        raise ValueError(f'distill must be "mse" or "kl", got {kind!r}')
    return (weights * per).mean()


@MODELS.register_module()
class TimeBalanceRecognizer(SemiRecognizer):
    """The student of TimeBalance's stage 3.

    Teachers: ``teachers=dict(inv=dict(type='FrozenTeacher', checkpoint=...),
    dist=dict(type='FrozenTeacher', checkpoint=...))`` (the invariant and
    the distinctive teacher, student architecture by default).

    Data: the labeled pipeline yields one clip (view ``'default'``); the
    unlabeled one ``MultiView(views=dict(clip=[...]))`` (view ``'clip'``).
    Both must put the score in the data samples' metainfo
    (``LoadTemporalSimilarity`` + ``PackActionInputs(meta_keys=(...,
    'temporal_similarity'))``) unless ``fixed_score`` is set.

    ``semi_train_cfg`` keys (besides the base ones):

    - ``unsup_weight``: weight of the unlabeled distillation term
      (official 100; a schedule config works too). Defaults to 100.
    - ``labeled_distill_weight`` (float): of the labeled distillation term
      (official 50). Defaults to 50.
    - ``distill`` (str): ``'mse'`` (official ``l2``) or ``'kl'``.
    - ``score_key`` (str): metainfo key of the score. Defaults to
      ``'temporal_similarity'``.
    - ``fixed_score`` (float, optional): use this ``s`` for every video
      instead (1: invariant teacher only, 0: distinctive only, 0.5: the
      average) — the ablations. Defaults to None.
    """

    train_cfg_defaults = dict(
        unsup_weight=100.0,
        labeled_distill_weight=50.0,
        distill='mse',
        score_key='temporal_similarity',
        fixed_score=None)
    student_views = ('clip', )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault('teacher', None)
        super().__init__(*args, **kwargs)
        missing = [t for t in TEACHERS if t not in self.teachers]
        if missing:
            raise KeyError(f'TimeBalanceRecognizer needs teachers {TEACHERS} '
                           f'(invariant, distinctive); missing {missing}, '
                           f'got {sorted(self.teachers)}')
        cfg = self.semi_train_cfg
        if cfg['distill'] not in ('mse', 'kl'):
            raise ValueError(f'semi_train_cfg.distill must be "mse" or "kl", '
                             f'got {cfg["distill"]!r}')
        fixed = cfg['fixed_score']
        if fixed is not None and not 0.0 <= float(fixed) <= 1.0:
            raise ValueError(f'semi_train_cfg.fixed_score must be in [0, 1], '
                             f'got {fixed}')
        self.teacher_views = {t: ('clip', ) for t in TEACHERS}

    # ------------------------------------------------------------ steps
    @torch.no_grad()
    def teacher_passes(self, step: SemiStep
                       ) -> Dict[str, Dict[str, GroupOutput]]:
        """Both teachers over the labeled and the unlabeled clips (the
        student's clips)."""
        groups = dict(sup=step.batch.sup[self.sup_view],
                      clip=step.batch.unsup['clip'])
        return {
            t: run_recognizer(self.teachers[t].module, groups,
                              self.concat_forward)
            for t in TEACHERS
        }

    def scores(self, samples: List, device) -> Tensor:
        """``(N,)`` temporal similarity scores of the samples."""
        fixed = self.semi_train_cfg['fixed_score']
        if fixed is not None:
            return torch.full((len(samples), ), float(fixed), device=device)
        key = self.semi_train_cfg['score_key']
        values = []
        for s in samples:
            if key not in s.metainfo:
                raise KeyError(
                    f'TimeBalanceRecognizer: sample {s.metainfo.get("filename", "?")} '  # noqa: E501
                    f'has no "{key}" in its metainfo; add LoadTemporalSimilarity '  # noqa: E501
                    f'to the pipeline and "{key}" to PackActionInputs('
                    'meta_keys=...), or set semi_train_cfg.fixed_score')
            values.append(float(s.metainfo[key]))
        return torch.tensor(values, device=device)

    def mixture(self, step: SemiStep, group: str, samples: List) -> Tensor:
        """``q = s p_I + (1 - s) p_D`` of a group, ``(N, K)``."""
        p_inv = step.teachers['inv'][group].logits.softmax(-1)
        p_dist = step.teachers['dist'][group].logits.softmax(-1)
        s = self.scores(samples, p_inv.device).to(p_inv.dtype)[:, None]
        step.logs[f'tb_score_{group}'] = s.mean().detach()
        return s * p_inv + (1 - s) * p_dist

    def pseudo_labels(self, step: SemiStep) -> PseudoLabels:
        q = self.mixture(step, 'clip', step.batch.unsup_samples)
        return PseudoLabels(q, q, q.new_ones(q.shape[0]))

    def unsupervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        p = step.pseudo
        return dict(loss_distill=distillation_loss(
            step.student['clip'].logits, p.targets, p.weights,
            self.semi_train_cfg['distill']))

    def extra_losses(self, step: SemiStep) -> Dict[str, Tensor]:
        q = self.mixture(step, 'sup', step.batch.sup_samples)
        loss = distillation_loss(step.student['sup'].logits, q,
                                 q.new_ones(q.shape[0]),
                                 self.semi_train_cfg['distill'])
        weight = float(self.semi_train_cfg['labeled_distill_weight'])
        return dict(loss_distill_labeled=weight * loss)
