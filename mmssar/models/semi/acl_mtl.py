"""ACL + MTL (Wang, Zhou, Xia, Wang, arXiv 2404.16416): adaptive contrastive
learning and multi-scale temporal learning on an EMA-teacher FixMatch.

No public code exists; configs/acl_mtl/README.md says which parts are the
paper's words and which are this implementation's choices.
"""
import copy
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce, get_world_size
from torch import Tensor

from mmssar.registry import MODELS, TASK_UTILS
from ..utils.recognizer_io import (GroupOutput, classifier_of,
                                   default_stage_names, run_recognizer)
from .fixmatch import FixMatchRecognizer
from .semi_step import PseudoLabels, SemiStep

#: ``acl=`` keys and defaults (nested type configs are merged key by key)
ACL_DEFAULTS = dict(
    feat_dim=None,
    projector=None,
    prototypes=dict(type='ClassPrototypes', momentum=0.99),
    prototype_encoder='student',
    confidence=dict(type='PrototypeConfidence', measure='cosine',
                    labels='given'),
    bank=dict(type='FeatureBank', size=4096),
    bank_push='all',
    rescore=True,
    reliability=dict(type='GMMReliability', interval=10),
    loss=dict(type='ReliableSupConLoss', temperature=0.1, pos_threshold=0.5,
              neg_threshold=0.0, selection='hard'),
    labeled_queries=True,
    query_weight='reliability',
    weight=1.0)
#: ``mtl=`` keys and defaults
MTL_DEFAULTS = dict(
    long_views=('long', ),
    tokens='temporal',
    query='teacher_weak',
    calibration=dict(type='CrossScaleCalibration', embed_channels=256,
                     num_heads=4, gate='channel'),
    calib_weight=1.0,
    align_loss=dict(type='FeatureAlignmentLoss', loss_type='cosine',
                    stop_grad_target=True, loss_weight=1.0),
    align_masked=False,
    pseudo_labels='short',
    calib_on='unlabeled',
    sup_long_views=None,
    weight=1.0)

_CHOICES = dict(prototype_encoder=('student', 'teacher'),
                bank_push=('all', 'kept'),
                query_weight=('reliability', 'mask', 'none'),
                tokens=('temporal', 'clip'),
                query=('teacher_weak', 'student_strong'),
                pseudo_labels=('short', 'ensemble', 'calibrated'),
                calib_on=('unlabeled', 'labeled'))


def _merge(name: str, defaults: dict, cfg: Optional[dict]) -> dict:
    """``cfg`` over ``defaults``; a nested config of the same (or no) type
    updates the default one, another type replaces it."""
    cfg = copy.deepcopy(dict(cfg or {}))
    unknown = sorted(set(cfg) - set(defaults))
    if unknown:
        raise KeyError(f'ACLMTLRecognizer: unknown {name} keys {unknown}; '
                       f'valid keys: {sorted(defaults)}')
    out = copy.deepcopy(defaults)
    for key, value in cfg.items():
        base = out[key]
        if isinstance(base, dict) and isinstance(value, dict) and \
                value.get('type', base.get('type')) == base.get('type'):
            base.update(value)
        else:
            out[key] = value
    for key, valid in _CHOICES.items():
        if key in out and out[key] not in valid:
            raise ValueError(f'ACLMTLRecognizer: {name}.{key} must be one of '
                             f'{valid}, got {out[key]!r}')
    return out


def _schedule(weight):
    if isinstance(weight, (int, float)):
        weight = dict(type='RampUpWeight', weight=float(weight))
    return TASK_UTILS.build(weight)


@MODELS.register_module()
class ACLMTLRecognizer(FixMatchRecognizer):
    """FixMatch with EMA-teacher pseudo-labels, plus ACL and MTL.

    Base objective: CE on labeled clips + thresholded pseudo-label CE of the
    student's ``strong`` view against the EMA teacher's ``weak`` view
    (``pseudo_label_source='teacher'``; every FixMatch key applies).

    **ACL** (``acl=dict(...)``, None disables it; keys :data:`ACL_DEFAULTS`):
    class prototypes (``ClassPrototypes``) of labeled features; the
    confidence of every unlabeled sample against them
    (``PrototypeConfidence``); a FIFO bank (``FeatureBank``, all-gathered)
    of the EMA teacher's weak-view features with their pseudo-labels and
    confidences; a 2-GMM (``GMMReliability``) fitted on the bank's
    confidences gives reliabilities; ``ReliableSupConLoss`` contrasts the
    student's strong-view features (and, with ``labeled_queries``, its
    labeled features) with bank positives / negatives chosen by reliability.
    ``weight`` is a float or a schedule (``RampUpWeight``: warm-up).

    **MTL** (``mtl=dict(...)``, None disables it; keys :data:`MTL_DEFAULTS`):
    the unlabeled pipeline adds ``long_views`` (long clips of the same video,
    :class:`~mmssar.datasets.transforms.MultiScaleSampleFrames`). The EMA
    teacher encodes them; ``CrossScaleCalibration`` lets a short-clip
    feature (``query='teacher_weak'``: the teacher's weak view;
    ``'student_strong'``: the student's strong view, detached) attend over
    their temporal tokens (``'temporal'``: last backbone stage pooled over
    space; ``'clip'``: pooled clip features) through a gate. The calibrated feature is classified by the student's
    classifier against the pseudo-labels (``loss_mtl_calib``, trains the
    calibration) and is the stop-gradient target of the student's
    strong-view feature (``loss_mtl_align``): long-term context is distilled
    into the short-clip student. With ``calib_on='labeled'`` the calibration
    is trained on the labeled clips and their true labels instead (the
    labeled pipeline adds ``sup_long_views``, default ``long_views``), and
    ``pseudo_labels='calibrated'`` takes the unlabeled pseudo-labels from the
    classified calibrated teacher feature, so the long clips correct the
    targets the student learns from; ``pseudo_labels='ensemble'`` (its
    control without the module) averages the teacher's probabilities over
    the weak and the long views. Training only: prediction is the plain
    student on the short clip (``predict_on='student'`` by default), and the
    exported checkpoint is the stock recognizer.

    Args:
        student (dict): A stock MMAction2 recognizer.
        acl (dict, optional): ACL options. None: no ACL.
        mtl (dict, optional): MTL options. None: no MTL.
        **kwargs: :class:`FixMatchRecognizer` / ``SemiRecognizer`` args.
    """

    train_cfg_defaults = dict(pseudo_label_source='teacher')

    def __init__(self, student: dict, acl: Optional[dict] = dict(),
                 mtl: Optional[dict] = dict(), **kwargs) -> None:
        test_cfg = dict(kwargs.pop('semi_test_cfg', None) or {})
        test_cfg.setdefault('predict_on', 'student')
        super().__init__(student=student, semi_test_cfg=test_cfg, **kwargs)
        if self.source == 'student':
            raise ValueError('ACLMTLRecognizer takes pseudo-labels and '
                             'features from a teacher: set '
                             'semi_train_cfg.pseudo_label_source to its name')
        dim = getattr(self.student.cls_head, 'in_channels', None)
        self.acl = None if acl is None else _merge('acl', ACL_DEFAULTS, acl)
        self.mtl = None if mtl is None else _merge('mtl', MTL_DEFAULTS, mtl)
        if self.acl is not None:
            self._build_acl(self.acl['feat_dim'] or dim)
        if self.mtl is not None:
            self._build_mtl(dim)

    # ------------------------------------------------------- construction
    def _build_acl(self, dim: Optional[int]) -> None:
        cfg = self.acl
        if dim is None:
            raise ValueError('ACLMTLRecognizer: set acl.feat_dim (the head '
                             'has no in_channels)')
        self.memories['acl_prototypes'] = MODELS.build(
            cfg['prototypes'],
            default_args=dict(num_classes=self.num_classes, dim=dim))
        self.memories['acl_bank'] = MODELS.build(
            cfg['bank'], default_args=dict(dim=dim))
        self.memories['acl_reliability'] = TASK_UTILS.build(cfg['reliability'])
        self.acl_confidence = TASK_UTILS.build(cfg['confidence'])
        self.acl_loss = MODELS.build(cfg['loss'])
        self.acl_weight = _schedule(cfg['weight'])
        self.acl_projector = None
        if cfg['projector']:
            self.acl_projector = MODELS.build(
                cfg['projector'], default_args=dict(in_channels=dim))

    def _build_mtl(self, dim: Optional[int]) -> None:
        cfg = self.mtl
        self.long_views = tuple(cfg['long_views'])
        if not self.long_views:
            raise ValueError('ACLMTLRecognizer: mtl.long_views is empty')
        self.calibration = MODELS.build(
            cfg['calibration'], default_args=dict(in_channels=dim))
        self.align_loss = MODELS.build(cfg['align_loss'])
        self.mtl_weight = _schedule(cfg['weight'])
        self.token_stage = default_stage_names(
            self.student.backbone)[-1:] if cfg['tokens'] == 'temporal' \
            else None
        if cfg['pseudo_labels'] == 'calibrated' and \
                cfg['calib_on'] != 'labeled':
            # trained on the pseudo-labels it would produce, the calibration
            # has nothing to correct them with (the identity is optimal)
            raise ValueError(
                "ACLMTLRecognizer: mtl.pseudo_labels='calibrated' needs a "
                "calibration trained on true labels: set "
                "mtl.calib_on='labeled' (and long views in the labeled "
                "pipeline)")
        self.sup_long_views = ()
        if cfg['calib_on'] == 'labeled':
            self.sup_long_views = tuple(cfg['sup_long_views']
                                        or self.long_views)
            # require_views refuses a labeled batch without them
            self.extra_sup_views = self.sup_long_views

    def _is_bookkeeping(self, name: str) -> bool:
        # a plain recognizer checkpoint has no calibration module or ACL
        # projector: they keep their initialisation
        return super()._is_bookkeeping(name) or name.startswith(
            ('calibration.', 'acl_projector.'))

    # ----------------------------------------------------------- steps
    def require_views(self, batch) -> None:
        super().require_views(batch)
        if self.mtl is not None:
            missing = sorted(set(self.long_views) - set(batch.unsup))
            if missing:
                raise KeyError(
                    f'ACLMTLRecognizer (mtl.long_views) needs unlabeled '
                    f'views {missing}; the unlabeled pipeline produced '
                    f'{sorted(batch.unsup)}')

    @torch.no_grad()
    def teacher_passes(self, step: SemiStep
                       ) -> Dict[str, Dict[str, GroupOutput]]:
        """The weak view, the long views (MTL, with the last stage for
        temporal tokens), the labeled clips for teacher prototypes or a
        labeled calibration, and the labeled long views (``'sup:<view>'``)
        for the latter."""
        out = super().teacher_passes(step)
        teacher = self.teachers[self.source].module
        mine = out[self.source]
        if self.mtl is not None:
            mine.update(run_recognizer(
                teacher, {v: step.batch.unsup[v] for v in self.long_views},
                stages=self.token_stage))
            mine.update(run_recognizer(
                teacher,
                {f'sup:{v}': step.batch.sup[v] for v in self.sup_long_views},
                stages=self.token_stage))
        labeled_calib = self.mtl is not None and self.sup_long_views and \
            self.mtl['query'] == 'teacher_weak'
        if labeled_calib or (self.acl is not None and
                             self.acl['prototype_encoder'] == 'teacher'):
            mine['sup'] = run_recognizer(
                teacher, dict(sup=step.batch.sup[self.sup_view]))['sup']
        return out

    def pseudo_labels(self, step: SemiStep) -> PseudoLabels:
        """FixMatch's, from the teacher's weak view (``mtl.pseudo_labels=
        'short'``), from the classified calibrated weak feature
        (``'calibrated'``) or from the teacher's probabilities averaged over
        the weak and the long views (``'ensemble'``)."""
        mode = 'short' if self.mtl is None else self.mtl['pseudo_labels']
        if mode == 'short':
            return super().pseudo_labels(step)
        outs = step.teachers[self.source]
        if mode == 'ensemble':
            probs = torch.stack([
                outs[v].logits.softmax(dim=-1)
                for v in ('weak', *self.long_views)
            ]).mean(dim=0)
            logits = probs.clamp_min(1e-12).log()
        else:
            with torch.no_grad():
                calibrated = self._calibrate(
                    outs['weak'].feats,
                    self.long_tokens([outs[v] for v in self.long_views]))
                logits = classifier_of(self.student.cls_head)(calibrated)
        # what the long clips changed, for the logs: the plain short-clip
        # pseudo-labels' accuracy on the hidden labels, over all ranks
        hidden = step.batch.unsup_meta['hidden_labels'].to(logits.device)
        known = hidden >= 0
        short = outs['weak'].logits.argmax(dim=-1)
        counts = torch.stack([(known & (short == hidden)).sum(),
                              known.sum()]).float()
        if get_world_size() > 1:
            all_reduce(counts, op='sum')
        if counts[1] > 0:
            step.logs['mtl_short_pl_acc'] = counts[0] / counts[1]
        return self.make_pseudo_labels(logits, step)

    def extra_losses(self, step: SemiStep) -> Dict[str, Tensor]:
        losses = {}
        if self.acl is not None:
            losses.update(self.acl_losses(step))
        if self.mtl is not None:
            losses.update(self.mtl_losses(step))
        return losses

    # ------------------------------------------------------------ ACL
    def _bank_view(self) -> Tuple[Tensor, Tensor, Tensor]:
        """Bank features, labels and confidences (rescored against the
        current prototypes when ``rescore``)."""
        entries = self.memories['acl_bank'].valid_entries()
        feats, labels = entries['features'], entries['labels']
        conf = entries['confidences']
        if self.acl['rescore'] and len(feats):
            conf, labels = self.acl_confidence(
                self.memories['acl_prototypes'], feats, labels)
        return feats, labels, conf

    def _unlabeled_scores(self, step: SemiStep) -> Tuple[Tensor, Tensor]:
        """Prototype confidence (M,) and class (M,) of the teacher's weak
        features, the class defaulting to the pseudo-label."""
        feats = step.teachers[self.source]['weak'].feats
        return self.acl_confidence(self.memories['acl_prototypes'], feats,
                                   step.pseudo.probs.argmax(dim=1))

    def acl_losses(self, step: SemiStep) -> Dict[str, Tensor]:
        weight = self.acl_weight()
        strong = step.student['strong'].feats
        device = strong.device
        gmm = self.memories['acl_reliability']
        conf, labels = self._unlabeled_scores(step)
        rel = gmm(conf)
        step.logs['acl_weight'] = torch.tensor(weight, device=device)
        step.logs['acl_bank_fill'] = torch.tensor(
            float(len(self.memories['acl_bank'])), device=device)
        step.logs['acl_reliability'] = rel.mean().detach()
        if weight == 0:
            return dict(loss_acl=strong.sum() * 0.0)
        qw = dict(reliability=rel, mask=step.pseudo.weights,
                  none=torch.ones_like(rel))[self.acl['query_weight']]
        queries, q_labels = strong, labels
        if self.acl['labeled_queries']:
            queries = torch.cat([step.student['sup'].feats, strong])
            q_labels = torch.cat([step.batch.sup_meta['labels'], labels])
            qw = torch.cat([qw.new_ones(len(step.batch.sup_meta['labels'])),
                            qw])
        feats, b_labels, b_conf = self._bank_view()
        if self.acl_projector is not None:
            queries = self.acl_projector(queries)
            # keys: the bank's teacher features through the current
            # projector, constants (the bank keeps backbone features, which
            # the prototypes and the GMM score)
            with torch.no_grad():
                feats = self.acl_projector(feats.to(queries))
        loss = self.acl_loss(queries, q_labels.to(device), feats.to(device),
                             b_labels.to(device), gmm(b_conf).to(device),
                             qw.to(device))
        for k, v in self.acl_loss.last_stats.items():
            step.logs[k] = torch.tensor(v, device=device)
        return dict(loss_acl=weight * loss)

    # ------------------------------------------------------------ MTL
    def long_tokens(self, outs: List[GroupOutput]) -> Tensor:
        """(M, L, C) tokens of the teacher's long clips (their outputs, one
        per long view): one per time step of the last stage
        (``'temporal'``) or one per clip (``'clip'``)."""
        if self.token_stage is None:
            return torch.stack([o.feats for o in outs], dim=1)
        tokens = []
        for o in outs:
            x = o.stages[0]
            if x.dim() != 5:
                raise ValueError(
                    f'mtl.tokens="temporal" needs (N, C, T, H, W) stage '
                    f'outputs, got {tuple(x.shape)}; use tokens="clip"')
            x = x.mean(dim=(3, 4))  # (M * r, C, T)
            m = o.num_samples
            x = x.view(m, -1, x.shape[1], x.shape[2])  # (M, r, C, T)
            tokens.append(x.permute(0, 1, 3, 2).reshape(m, -1, x.shape[2]))
        return torch.cat(tokens, dim=1)

    def _calibrate(self, query: Tensor, tokens: Tensor) -> Tensor:
        calibrated, _, _ = self.calibration(query.detach(), tokens)
        return calibrated

    def _query(self, step: SemiStep, group: str) -> Tensor:
        """The short-clip feature to calibrate: the teacher's (``'weak'``
        unlabeled view or ``'sup'`` labeled clips) or, with
        ``query='student_strong'``, the student's (strong view / labeled
        clips), detached."""
        if self.mtl['query'] == 'student_strong':
            # the query the classifier gets wrong more often: the long-term
            # context has something to correct, so the calibration learns
            key = 'strong' if group == 'weak' else group
            return step.student[key].feats.detach()
        return step.teachers[self.source][group].feats.detach()

    def mtl_losses(self, step: SemiStep) -> Dict[str, Tensor]:
        weight = self.mtl_weight()
        outs = step.teachers[self.source]
        fc = classifier_of(self.student.cls_head)
        p = step.pseudo
        if self.mtl['calib_on'] == 'labeled':
            sup = self._calibrate(
                self._query(step, 'sup'),
                self.long_tokens([outs[f'sup:{v}']
                                  for v in self.sup_long_views]))
            calib = F.cross_entropy(
                fc(sup), step.batch.sup_meta['labels'].to(sup.device))
            with torch.no_grad():  # only the alignment target
                calibrated = self._calibrate(
                    self._query(step, 'weak'),
                    self.long_tokens([outs[v] for v in self.long_views]))
        else:
            calibrated = self._calibrate(
                self._query(step, 'weak'),
                self.long_tokens([outs[v] for v in self.long_views]))
            calib = self.unsup_loss(fc(calibrated), p.targets, p.weights)
        for k, v in self.calibration.last_stats.items():
            step.logs[k] = torch.tensor(v, device=calibrated.device)
        source = step.student['strong'].feats
        target = calibrated
        if self.mtl['align_masked']:
            keep = p.weights > 0
            source, target = source[keep], target[keep]
        align = self.align_loss(source, target) if len(source) else \
            source.sum() * 0.0
        return dict(loss_mtl_calib=weight * self.mtl['calib_weight'] * calib,
                    loss_mtl_align=weight * align)

    # -------------------------------------------------------- memories
    @torch.no_grad()
    def update_memories(self, step: SemiStep) -> None:
        """Prototypes from this batch's labeled features, then the bank
        (scored against the updated prototypes), then the GMM (refit when
        due on the bank's confidences)."""
        if self.acl is None:
            return
        protos = self.memories['acl_prototypes']
        if self.acl['prototype_encoder'] == 'teacher':
            sup = step.teachers[self.source]['sup'].feats
        else:
            sup = step.student['sup'].feats
        protos.update(sup.detach(), step.batch.sup_meta['labels'])
        conf, labels = self._unlabeled_scores(step)
        feats = step.teachers[self.source]['weak'].feats
        if self.acl['bank_push'] == 'kept':
            keep = step.pseudo.weights > 0
            feats, labels, conf = feats[keep], labels[keep], conf[keep]
        self.memories['acl_bank'].push(
            F.normalize(feats.detach(), dim=1), labels=labels,
            confidences=conf)
        self.memories['acl_reliability'].step(self._bank_view()[2])
