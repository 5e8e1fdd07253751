"""LTG: Learning from Temporal Gradient (Xiao et al., CVPR 2022)."""
import copy
from typing import Dict, Optional

import torch
from torch import Tensor

from mmssar.registry import MODELS
from ..utils.recognizer_io import (default_stage_names, per_sample,
                                   run_recognizer)
from .fixmatch import FixMatchRecognizer
from .semi_step import PseudoLabels, SemiStep

# group -> (RGB view, TG view)
_GROUPS = dict(sup=('rgb', 'tg'), weak=('weak', 'weak_tg'),
               strong=('strong', 'strong_tg'))


@MODELS.register_module()
class LTGRecognizer(FixMatchRecognizer):
    """An RGB network (the student: a stock recognizer that alone predicts
    and is exported) trained with a temporal-gradient (TG) network: CE of
    both, FixMatch on both strong views with pseudo-labels from the averaged
    weak logits, RGB→TG stage alignment, RGB↔TG InfoNCE of projected
    features (configs/ltg/README.md has every term and the official code's
    details).

    Args:
        student (dict): RGB recognizer config (stock ``out_indices``).
        tg_student (dict, optional): TG recognizer. Defaults to ``student``.
        projection_head (dict, optional): Head of each modality, run on the
            whole [labeled; weak; strong] batch (SyncBN for distributed GPU
            runs, as official). None disables the contrastive term.
        teacher (dict, optional): LTG has no EMA teacher. Defaults to None.

    Views: labeled ``rgb``, ``tg``; unlabeled ``weak``, ``weak_tg``,
    ``strong``, ``strong_tg``.
    """

    train_cfg_defaults = dict(
        threshold=0.3, sup_weights=(0.5, 0.5), unsup_weights=(0.5, 0.5),
        align_stages=(0, 1, 2, 3), align_loss=dict(type='FeatureAlignmentLoss'),
        contrast_loss=dict(type='InfoNCELoss', temperature=0.5))
    sup_view, extra_sup_views = 'rgb', ('tg', )
    student_views = ('weak', 'strong', 'weak_tg', 'strong_tg')

    def __init__(self, student: dict, tg_student: Optional[dict] = None,
                 projection_head: Optional[dict] = dict(
                     type='ProjectionHead', in_channels=512),
                 teacher: Optional[dict] = None, **kwargs) -> None:
        # without a teacher the student predicts (the base's default)
        super().__init__(student=student, teacher=teacher, **kwargs)
        if self.source != 'student':
            raise ValueError('LTG takes pseudo-labels from its own networks')
        tg_student = copy.deepcopy(tg_student or student)
        tg_student.pop('data_preprocessor', None)
        self.tg_student = MODELS.build(tg_student)
        self.rgb_proj, self.tg_proj = [
            MODELS.build(projection_head) if projection_head else None
            for _ in range(2)]
        cfg = self.semi_train_cfg
        names = default_stage_names(self.student.backbone)
        # the aligned stages plus the last one (the projection input)
        self.stage_ids = sorted(set(cfg['align_stages']) | {len(names) - 1})
        self.stage_names = [names[i] for i in self.stage_ids]
        self.align_loss = MODELS.build(cfg['align_loss'])
        self.contrast_loss = MODELS.build(cfg['contrast_loss'])

    def student_pass(self, step: SemiStep) -> dict:
        """Both networks; the TG network's groups are prefixed ``tg_``."""
        out, b = {}, step.batch
        for i, (net, prefix) in enumerate(((self.student, ''),
                                           (self.tg_student, 'tg_'))):
            views = {g: (b.sup if g == 'sup' else b.unsup)[v[i]]
                     for g, v in _GROUPS.items()}
            res = run_recognizer(net, views, stages=self.stage_names)
            out.update({prefix + g: o for g, o in res.items()})
        return out

    def supervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        w, samples = self.semi_train_cfg['sup_weights'], step.batch.sup_samples
        losses = self.student.cls_head.loss_by_feat(
            step.student['sup'].logits, samples)
        losses['loss_cls_rgb'] = w[0] * losses.pop('loss_cls')
        losses['loss_cls_tg'] = w[1] * self.tg_student.cls_head.loss_by_feat(
            step.student['tg_sup'].logits, samples)['loss_cls']
        return losses

    def pseudo_labels(self, step: SemiStep) -> PseudoLabels:
        s = step.student
        return self.make_pseudo_labels(
            (s['weak'].logits + s['tg_weak'].logits) / 2, step)

    def unsupervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        p, w = step.pseudo, self.semi_train_cfg['unsup_weights']
        return {
            f'loss_cls_{name}': wi * self.unsup_loss(
                step.student[key].logits, p.targets, p.weights)
            for name, key, wi in (('rgb', 'strong', w[0]),
                                  ('tg', 'tg_strong', w[1]))
        }

    def _stage(self, step, prefix: str, stage: int, groups) -> Tensor:
        i = self.stage_ids.index(stage)
        return torch.cat([step.student[prefix + g].stages[i] for g in groups])

    def extra_losses(self, step: SemiStep) -> Dict[str, Tensor]:
        stages, s = self.semi_train_cfg['align_stages'], step.student
        extra = dict(loss_align=self.align_loss(
            *[[self._stage(step, p, i, ('sup', 'weak')) for i in stages]
              for p in ('', 'tg_')]))
        if self.rgb_proj is not None:
            n_all = sum(s[g].num_samples for g in _GROUPS)
            n = s['sup'].num_samples + s['weak'].num_samples
            extra['loss_contrast'] = self.contrast_loss(*[
                head(per_sample(self._stage(step, p, self.stage_ids[-1],
                                            _GROUPS), n_all))[:n]
                for head, p in ((self.rgb_proj, ''), (self.tg_proj, 'tg_'))
            ])
        return extra
