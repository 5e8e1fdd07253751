"""LTG: Learning from Temporal Gradient (Xiao et al., CVPR 2022)."""
import copy
from typing import Optional, Sequence

import torch

from mmssar.registry import MODELS
from ..utils.recognizer_io import recognizer_stages
from .base import PseudoLabels
from .fixmatch import FixMatchRecognizer


@MODELS.register_module()
class LTGRecognizer(FixMatchRecognizer):
    """An RGB and a temporal-gradient (TG) network trained together.

    Per iteration, each network runs once over ``[labeled; weak; strong]``
    of its modality (BN sees the three groups together, as in the official
    code). Losses:

    - supervised CE of both networks (weights ``sup_weights``);
    - FixMatch on both strong views with pseudo-labels from the *averaged*
      weak logits of both modalities (threshold τ, normalised by all
      unlabeled samples), scaled by the scheduled ``unsup_weight`` (LTG:
      zero during the first epochs);
    - dense cosine alignment of the RGB stage features (``align_stages``) to
      the stop-gradient TG ones, on labeled + weak samples;
    - symmetric RGB↔TG InfoNCE between projected last-stage features of
      labeled + weak samples, negatives gathered across ranks.

    Only the RGB network (``student``) predicts and is exported, so
    inference costs the same as the plain recognizer.

    Views: the labeled pipeline yields ``rgb`` and ``tg``; the unlabeled one
    ``weak``, ``weak_tg``, ``strong``, ``strong_tg``.

    Args:
        student (dict): RGB recognizer config; its backbone must return all
            stages needed (e.g. ``out_indices=(0, 1, 2, 3)``).
        tg_student (dict, optional): TG recognizer config. Defaults to a
            copy of ``student`` (same architecture, separate weights).
        projection_head (dict, optional): Config of the projection head of
            each modality. None disables the contrastive term.
        teacher (dict, optional): LTG has no EMA teacher. Defaults to None.
        semi_train_cfg (dict): FixMatch keys (``threshold``=0.3, ...) plus
            ``sup_weights`` ((0.5, 0.5)), ``unsup_weights`` ((0.5, 0.5)),
            ``align_stages`` ((0, 1, 2, 3)), ``align_loss``
            (``FeatureAlignmentLoss``), ``contrast_loss`` (symmetric
            ``InfoNCELoss``, temperature 0.5: the mean of both directions,
            which is the official 0.5 × (RGB→TG + TG→RGB)).
    """

    student_views = ('weak', 'strong')

    def __init__(self,
                 student: dict,
                 tg_student: Optional[dict] = None,
                 projection_head: Optional[dict] = dict(
                     type='ProjectionHead', in_channels=512),
                 teacher: Optional[dict] = None,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        cfg = dict(threshold=0.3, pseudo_label_source='student')
        cfg.update(semi_train_cfg or {})
        super().__init__(
            student=student,
            teacher=teacher,
            semi_train_cfg=cfg,
            semi_test_cfg=semi_test_cfg or dict(predict_on='student'),
            **kwargs)
        tg_student = copy.deepcopy(tg_student or student)
        tg_student.pop('data_preprocessor', None)
        self.tg_student = MODELS.build(tg_student)
        self.rgb_proj = self.tg_proj = None
        if projection_head is not None:
            self.rgb_proj = MODELS.build(projection_head)
            self.tg_proj = MODELS.build(projection_head)
        cfg = self.semi_train_cfg
        self.sup_weights = tuple(cfg.get('sup_weights', (0.5, 0.5)))
        self.unsup_weights = tuple(cfg.get('unsup_weights', (0.5, 0.5)))
        self.align_stages = tuple(cfg.get('align_stages', (0, 1, 2, 3)))
        self.align_loss = MODELS.build(
            cfg.get('align_loss', dict(type='FeatureAlignmentLoss')))
        self.contrast_loss = MODELS.build(
            cfg.get('contrast_loss',
                    dict(type='InfoNCELoss', temperature=0.5)))

    def init_weights(self) -> None:
        super().init_weights()
        self.tg_student.init_weights()
        for head in (self.rgb_proj, self.tg_proj):
            if head is not None:
                head.init_weights()

    def _run(self, net, groups: Sequence):
        """One pass of ``net`` over concatenated groups of samples.

        Returns the stage features, per-group logits and the number of
        stage-feature rows per sample (clips of 3D inputs, segments of 2D).
        """
        sizes = [g.shape[0] for g in groups]
        stages, logits = recognizer_stages(net, torch.cat(list(groups)))
        rows = logits.shape[0] // sum(sizes)
        feat_rows = stages[-1].shape[0] // sum(sizes)
        return stages, logits.split([s * rows for s in sizes]), feat_rows

    @staticmethod
    def _per_sample(feat, rows: int):
        """Average the clips / segments of each sample: (N*rows, ...) ->
        (N, ...)."""
        if rows == 1:
            return feat
        return feat.view(-1, rows, *feat.shape[1:]).mean(dim=1)

    def predict(self, inputs, data_samples):
        """RGB network only: its last stage through its head, clip scores
        averaged as the head's ``average_clips`` says."""
        _, logits = recognizer_stages(self.student, inputs)
        return self.student.cls_head.predict_by_feat(logits, data_samples)

    def compute_losses(self, inputs: dict, data_samples: dict) -> tuple:
        sup, unsup = inputs['sup'], inputs['unsup']
        self._require_views(sup, ('rgb', 'tg'))
        self._require_views(unsup, ('weak', 'weak_tg', 'strong', 'strong_tg'))
        rgb_stages, (rgb_l, rgb_w, rgb_s), rows = self._run(
            self.student, (sup['rgb'], unsup['weak'], unsup['strong']))
        tg_stages, (tg_l, tg_w, tg_s), _ = self._run(
            self.tg_student, (sup['tg'], unsup['weak_tg'], unsup['strong_tg']))

        sup_losses = {}
        for name, net, logits, w in (('rgb', self.student, rgb_l,
                                      self.sup_weights[0]),
                                     ('tg', self.tg_student, tg_l,
                                      self.sup_weights[1])):
            out = net.cls_head.loss_by_feat(logits, data_samples['sup'])
            sup_losses[f'loss_cls_{name}'] = w * out['loss_cls']
            if name == 'rgb':
                sup_losses.update(
                    {k: v for k, v in out.items() if 'loss' not in k})

        probs, mask, targets = self.pseudo_label((rgb_w + tg_w) / 2)
        unsup_losses = dict(
            loss_cls_rgb=self.unsup_weights[0] *
            self.unsup_loss(rgb_s, targets, mask),
            loss_cls_tg=self.unsup_weights[1] *
            self.unsup_loss(tg_s, targets, mask))

        # alignment and contrast use labeled + weak samples only
        n = (sup['rgb'].shape[0] + unsup['weak'].shape[0]) * rows
        extra = dict(
            loss_align=self.align_loss(
                [rgb_stages[i][:n] for i in self.align_stages],
                [tg_stages[i][:n] for i in self.align_stages]))
        if self.rgb_proj is not None:
            extra['loss_contrast'] = self.contrast_loss(
                self.rgb_proj(self._per_sample(rgb_stages[-1][:n], rows)),
                self.tg_proj(self._per_sample(tg_stages[-1][:n], rows)))
        return sup_losses, unsup_losses, extra, PseudoLabels(probs, mask)
