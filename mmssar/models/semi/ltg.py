"""LTG: Learning from Temporal Gradient (Xiao et al., CVPR 2022)."""
import copy
from typing import Dict, Optional

import torch
from torch import Tensor

from mmssar.registry import MODELS
from ..utils.recognizer_io import default_stage_names, per_sample, \
    run_recognizer
from .fixmatch import FixMatchRecognizer
from .semi_step import PseudoLabels, SemiStep

_GROUPS = dict(sup=('rgb', 'tg'), weak=('weak', 'weak_tg'),
               strong=('strong', 'strong_tg'))


@MODELS.register_module()
class LTGRecognizer(FixMatchRecognizer):
    """An RGB network (the student, a stock recognizer) and a temporal-
    gradient (TG) network trained together.

    Each network runs once over ``[labeled; weak; strong]`` of its modality
    (BN sees the three groups together, as in the official code). Losses:
    supervised CE of both networks (``sup_weights``); FixMatch on both
    strong views with pseudo-labels from the *averaged* weak logits of both
    modalities (normalised by all unlabeled samples, scaled by the scheduled
    ``unsup_weight``); dense cosine alignment of the RGB stage outputs
    (``align_stages``) to the stop-gradient TG ones on labeled + weak
    samples; symmetric RGB↔TG InfoNCE between projections of the last-stage
    features — each projection head runs on the whole ``[labeled; weak;
    strong]`` batch (its BN sees all three, as official) and the loss uses
    the labeled + weak rows, negatives gathered across ranks.

    The student predicts and is exported, so inference costs the same as
    the plain recognizer. Views: labeled ``rgb`` and ``tg``; unlabeled
    ``weak``, ``weak_tg``, ``strong``, ``strong_tg``.

    Args:
        student (dict): RGB recognizer config (stock; stage outputs are read
            by hooks, ``out_indices`` stay as the recipe has them).
        tg_student (dict, optional): TG recognizer config. Defaults to a
            copy of ``student`` (same architecture, separate weights).
        projection_head (dict, optional): Config of the projection head of
            each modality (``norm_cfg=dict(type='SyncBN')`` in distributed
            GPU configs, as official). None disables the contrastive term.
        teacher (dict, optional): LTG has no EMA teacher. Defaults to None.
        semi_train_cfg (dict): FixMatch keys (``threshold`` 0.3) plus
            ``sup_weights``, ``unsup_weights`` ((0.5, 0.5) each),
            ``align_stages`` ((0, 1, 2, 3): indices into the backbone's
            stages), ``align_loss``, ``contrast_loss`` (symmetric InfoNCE,
            temperature 0.5: the mean of both directions, i.e. the official
            0.5 × (RGB→TG + TG→RGB)).
    """

    train_cfg_defaults = dict(
        threshold=0.3,
        sup_weights=(0.5, 0.5),
        unsup_weights=(0.5, 0.5),
        align_stages=(0, 1, 2, 3),
        align_loss=dict(type='FeatureAlignmentLoss'),
        contrast_loss=dict(type='InfoNCELoss', temperature=0.5))
    sup_view = 'rgb'
    extra_sup_views = ('tg', )

    def __init__(self,
                 student: dict,
                 tg_student: Optional[dict] = None,
                 projection_head: Optional[dict] = dict(
                     type='ProjectionHead', in_channels=512),
                 teacher: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            student=student,
            teacher=teacher,
            semi_test_cfg=semi_test_cfg or dict(predict_on='student'),
            **kwargs)
        if self.source != 'student':
            raise ValueError('LTG takes pseudo-labels from its own networks')
        self.student_views = ('weak', 'strong', 'weak_tg', 'strong_tg')
        tg_student = copy.deepcopy(tg_student or student)
        tg_student.pop('data_preprocessor', None)
        self.tg_student = MODELS.build(tg_student)
        self.rgb_proj = self.tg_proj = None
        if projection_head is not None:
            self.rgb_proj = MODELS.build(projection_head)
            self.tg_proj = MODELS.build(projection_head)
        cfg = self.semi_train_cfg
        names = default_stage_names(self.student.backbone)
        # the aligned stages plus the last one (projection input)
        self.stage_ids = sorted(set(cfg['align_stages']) | {len(names) - 1})
        self.stage_names = [names[i] for i in self.stage_ids]
        self.align_loss = MODELS.build(cfg['align_loss'])
        self.contrast_loss = MODELS.build(cfg['contrast_loss'])

    def student_pass(self, step: SemiStep) -> Dict[str, object]:
        """Both networks over their modality; TG groups get a ``tg_``
        prefix."""
        b = step.batch
        out = {}
        for i, (net, prefix) in enumerate(((self.student, ''),
                                           (self.tg_student, 'tg_'))):
            views = {g: (b.sup if g == 'sup' else b.unsup)[v[i]]
                     for g, v in _GROUPS.items()}
            res = run_recognizer(net, views, stages=self.stage_names)
            out.update({prefix + g: o for g, o in res.items()})
        return out

    def supervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        w = self.semi_train_cfg['sup_weights']
        samples = step.batch.sup_samples
        losses = self.student.cls_head.loss_by_feat(
            step.student['sup'].logits, samples)
        losses['loss_cls_rgb'] = w[0] * losses.pop('loss_cls')
        losses['loss_cls_tg'] = w[1] * self.tg_student.cls_head.loss_by_feat(
            step.student['tg_sup'].logits, samples)['loss_cls']
        return losses

    def pseudo_labels(self, step: SemiStep) -> PseudoLabels:
        s = step.student
        return self.make_pseudo_labels(
            (s['weak'].logits + s['tg_weak'].logits) / 2)

    def unsupervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        p, w = step.pseudo, self.semi_train_cfg['unsup_weights']
        return {
            f'loss_cls_{name}': wi * self.unsup_loss(
                step.student[key].logits, p.targets, p.weights)
            for name, key, wi in (('rgb', 'strong', w[0]),
                                  ('tg', 'tg_strong', w[1]))
        }

    def _stage(self, step: SemiStep, prefix: str, stage: int,
               groups=('sup', 'weak')) -> Tensor:
        i = self.stage_ids.index(stage)
        return torch.cat([step.student[prefix + g].stages[i] for g in groups])

    def extra_losses(self, step: SemiStep) -> Dict[str, Tensor]:
        stages = self.semi_train_cfg['align_stages']
        extra = dict(loss_align=self.align_loss(
            [self._stage(step, '', i) for i in stages],
            [self._stage(step, 'tg_', i) for i in stages]))
        if self.rgb_proj is None:
            return extra
        n_all = sum(step.student[g].num_samples for g in _GROUPS)
        n = step.student['sup'].num_samples + step.student[
            'weak'].num_samples
        last = self.stage_ids[-1]
        emb = [
            head(per_sample(self._stage(step, prefix, last, tuple(_GROUPS)),
                            n_all))[:n]
            for head, prefix in ((self.rgb_proj, ''), (self.tg_proj, 'tg_'))
        ]
        extra['loss_contrast'] = self.contrast_loss(*emb)
        return extra
