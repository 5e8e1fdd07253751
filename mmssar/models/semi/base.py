"""The base of every semi-supervised recognizer: student, EMA teacher,
supervised loss, unsupervised-loss weighting, monitoring, prediction."""
import copy
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from torch import Tensor

from mmssar.registry import MODELS, TASK_UTILS
from ..utils.recognizer_io import (per_sample, recognizer_logits,
                                   recognizer_num_classes)

PREDICT_ON = ('student', 'teacher', 'both')


class PseudoLabels(NamedTuple):
    """What an algorithm did with an unlabeled batch, for monitoring.

    Attributes:
        probs (Tensor): ``(N, K)`` detached distribution the pseudo-labels
            come from.
        mask (Tensor): ``(N,)`` weights of the samples that were used.
    """
    probs: Tensor
    mask: Tensor


@MODELS.register_module()
class SemiRecognizer(BaseModel):
    """Turn any MMAction2 recognizer into the student of an SSL algorithm.

    The student is built from an ordinary recognizer config (Recognizer2D,
    Recognizer3D, RecognizerGCN, ...), so a semi-supervised config inherits
    a stock MMAction2 recipe and sets ``student=_base_.model``. The EMA
    teacher (optional) lives inside this model: it is frozen, always in
    eval mode, saved in the ``state_dict`` (so resume restores it) and
    updated by :class:`~mmssar.engine.EMATeacherHook` after real optimizer
    steps.

    All per-iteration SSL computation happens in ``forward(mode='loss')`` so
    that DDP (which bypasses a model's own ``train_step``) sees it.
    Subclasses implement :meth:`loss_unsup` and declare the unlabeled views
    the student must see in ``student_views``.

    Args:
        student (dict): Config of an MMAction2 recognizer. Its
            ``data_preprocessor`` becomes the one wrapped by
            :class:`SemiDataPreprocessor` unless ``data_preprocessor`` is
            given.
        teacher (dict, optional): Config of the averaged model that holds the
            teacher, built around the student. ``None`` disables the teacher.
            Defaults to ``dict(type='TeacherEMA', momentum=0.001)``.
        data_preprocessor (dict, optional): Defaults to a
            ``SemiDataPreprocessor`` around the student's preprocessor.
        semi_train_cfg (dict, optional): Common keys: ``sup_weight`` (1.0),
            ``unsup_weight`` (a float, or a schedule config such as
            ``dict(type='RampUpWeight', weight=1., warmup=0, rampup=1000)``),
            ``concat_forward`` (True: one student pass over labeled and
            unlabeled views when their shapes agree, so BN sees them
            together). Algorithms add their own keys.
        semi_test_cfg (dict, optional): ``predict_on`` = ``'teacher'``,
            ``'student'`` or ``'both'`` (one validation pass yields
            ``acc/teacher_top1`` and ``acc/student_top1``). Defaults to
            ``'teacher'`` when there is a teacher.
        init_cfg (dict, optional): Initialisation config.
    """

    #: unlabeled views the student forwards (subclasses override)
    student_views: Tuple[str, ...] = ()

    def __init__(self,
                 student: dict,
                 teacher: Optional[dict] = dict(
                     type='TeacherEMA', momentum=0.001),
                 data_preprocessor: Optional[dict] = None,
                 semi_train_cfg: Optional[dict] = None,
                 semi_test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        student = copy.deepcopy(student)
        student_preprocessor = student.pop('data_preprocessor', None)
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='SemiDataPreprocessor',
                data_preprocessor=student_preprocessor
                or dict(type='ActionDataPreprocessor'))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.student = MODELS.build(student)
        self.teacher = None
        if teacher is not None:
            self.teacher = MODELS.build(
                teacher, default_args=dict(model=self.student))

        cfg = dict(semi_train_cfg or {})
        self.sup_weight = float(cfg.pop('sup_weight', 1.0))
        weight = cfg.pop('unsup_weight', 1.0)
        if isinstance(weight, (int, float)):
            weight = dict(type='RampUpWeight', weight=float(weight))
        self.unsup_weight = TASK_UTILS.build(weight)
        self.concat_forward = bool(cfg.pop('concat_forward', True))
        self.semi_train_cfg = cfg

        test_cfg = dict(semi_test_cfg or {})
        self.predict_on = test_cfg.get(
            'predict_on', 'teacher' if self.teacher is not None else 'student')
        if self.predict_on not in PREDICT_ON:
            raise ValueError(f'predict_on must be one of {PREDICT_ON}')
        if self.predict_on != 'student' and self.teacher is None:
            raise ValueError(f'predict_on={self.predict_on!r} needs a teacher')
        # float: MMAction2's SyncBuffersHook mean-reduces buffers
        self.register_buffer('num_skipped_unlabeled', torch.zeros(()))

    # ------------------------------------------------------------ basics
    @property
    def num_classes(self) -> Optional[int]:
        return recognizer_num_classes(self.student)

    def init_weights(self) -> None:
        # The teacher is initialised by copying, not by its own init_cfg
        # (which would e.g. fetch pretrained weights a second time).
        self.student.init_weights()
        self.sync_teacher()

    @torch.no_grad()
    def sync_teacher(self) -> None:
        """Make the teacher an exact copy of the student."""
        if self.teacher is not None:
            self.teacher.copy_from(self.student)

    @torch.no_grad()
    def update_teacher(self) -> None:
        """One EMA step of the teacher towards the student."""
        if self.teacher is not None:
            self.teacher.update_parameters(self.student)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # A plain MMAction2 recognizer checkpoint (``backbone.*``,
        # ``cls_head.*``) initialises both student and teacher.
        keys = [k for k in state_dict if k.startswith(prefix)]
        ours = ('student.', 'teacher.', 'data_preprocessor.',
                'num_skipped_unlabeled')
        if keys and not any(k[len(prefix):].startswith(ours) for k in keys):
            for key in keys:
                value = state_dict.pop(key)
                name = key[len(prefix):]
                state_dict[f'{prefix}student.{name}'] = value
                if self.teacher is not None:
                    state_dict[f'{prefix}teacher.module.{name}'] = value
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # ----------------------------------------------------------- forward
    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.student(inputs, data_samples, mode='tensor')
        raise RuntimeError(f'Invalid mode "{mode}".')

    def student_logits(self, named_inputs: Dict[str, Tensor]
                       ) -> Dict[str, Tensor]:
        """Per-sample student logits of several batches.

        With ``concat_forward`` and equal per-sample shapes, one pass over
        the concatenation (BN statistics over labeled and unlabeled data
        together, as in FixMatch); otherwise one pass per batch.
        """
        names = list(named_inputs)
        tensors = [named_inputs[n] for n in names]
        same = all(t.shape[1:] == tensors[0].shape[1:] for t in tensors)
        if self.concat_forward and same and len(tensors) > 1:
            sizes = [t.shape[0] for t in tensors]
            logits = recognizer_logits(self.student, torch.cat(tensors))
            rows = logits.shape[0] // sum(sizes)
            chunks = torch.split(logits, [s * rows for s in sizes])
            return {
                n: per_sample(c, s)
                for n, c, s in zip(names, chunks, sizes)
            }
        return {
            n: per_sample(recognizer_logits(self.student, t), t.shape[0])
            for n, t in zip(names, tensors)
        }

    @torch.no_grad()
    def teacher_logits(self, inputs: Tensor) -> Tensor:
        """Per-sample logits of the (eval-mode) EMA teacher."""
        if self.teacher is None:
            raise RuntimeError(f'{type(self).__name__} needs a teacher here')
        logits = recognizer_logits(self.teacher.module, inputs)
        return per_sample(logits, inputs.shape[0])

    def loss(self, inputs, data_samples) -> Dict[str, Tensor]:
        if not (isinstance(inputs, dict) and 'sup' in inputs):
            # a plain labeled batch: supervised training of the student
            return self.student.loss(inputs, data_samples)
        sup, unsup, extra, pseudo = self.compute_losses(inputs, data_samples)
        losses = {}
        for k, v in sup.items():
            losses[f'sup_{k}'] = v * self.sup_weight if 'loss' in k else v
        weight = self.unsup_weight()
        for k, v in unsup.items():
            losses[f'unsup_{k}'] = v * weight
        losses.update(extra)
        losses.update(
            self._monitor(losses, pseudo, data_samples['unsup'], weight))
        return losses

    def compute_losses(self, inputs: dict, data_samples: dict) -> tuple:
        """All loss terms of one (labeled, unlabeled) batch pair.

        The default runs the student over the labeled batch and
        :attr:`student_views`, takes the head's supervised loss and asks
        :meth:`loss_unsup` for the rest; algorithms with more networks
        override this.

        Returns:
            tuple: ``(sup, unsup, extra, pseudo)``: supervised terms (scaled
            by ``sup_weight``), unsupervised terms (scaled by the scheduled
            ``unsup_weight``), terms added as they are, and the
            :class:`PseudoLabels` for monitoring.
        """
        unsup_views = inputs['unsup']
        self._require_views(unsup_views, self.student_views)
        named = dict(sup=inputs['sup'])
        named.update({v: unsup_views[v] for v in self.student_views})
        logits = self.student_logits(named)
        sup = self.student.cls_head.loss_by_feat(logits['sup'],
                                                 data_samples['sup'])
        unsup, pseudo = self.loss_unsup(logits, unsup_views,
                                        data_samples['unsup'])
        return sup, unsup, {}, pseudo

    def _require_views(self, views: dict, needed) -> None:
        missing = set(needed) - set(views)
        if missing:
            raise KeyError(
                f'{type(self).__name__} needs views {sorted(missing)}; the '
                f'pipeline produced {sorted(views)}')

    def loss_unsup(self, student_logits: Dict[str, Tensor],
                   unsup_inputs: Dict[str, Tensor],
                   unsup_samples: Sequence) -> Tuple[Dict[str, Tensor],
                                                     PseudoLabels]:
        """Unsupervised losses of the algorithm.

        Args:
            student_logits (dict[str, Tensor]): ``(N, K)`` student logits of
                ``'sup'`` and of every view in :attr:`student_views`.
            unsup_inputs (dict[str, Tensor]): All preprocessed unlabeled
                views (for teacher passes).
            unsup_samples (list[ActionDataSample]): Unlabeled data samples.

        Returns:
            tuple: Losses (unweighted; keys should contain ``loss``) and the
            :class:`PseudoLabels` used, for monitoring.
        """
        raise NotImplementedError

    # --------------------------------------------------------- monitoring
    def _monitor(self, losses: Dict[str, Tensor], pseudo: PseudoLabels,
                 samples: Sequence, weight: float) -> Dict[str, Tensor]:
        """Mask ratio, pseudo-label accuracy (all / kept), skipped files.

        One all-reduce of a packed vector per iteration; it also carries a
        non-finite-loss flag so that every rank stops together.
        """
        probs, mask = pseudo.probs.detach(), pseudo.mask.detach().float()
        device = probs.device
        hidden = torch.tensor([s.metainfo.get('hidden_label', -1)
                               for s in samples], device=device)
        known = (hidden >= 0).float()
        correct = (probs.argmax(dim=-1) == hidden).float() * known
        kept = (mask > 0).float()
        skipped = float(sum(len(s.metainfo.get('skipped', ()))
                            for s in samples))
        total = sum(v.sum() for k, v in losses.items() if 'loss' in k)
        stats = torch.stack([
            mask.sum(),
            torch.tensor(float(len(samples)), device=device),
            correct.sum(),
            known.sum(),
            (correct * kept).sum(),
            (known * kept).sum(),
            (~torch.isfinite(total.detach())).float(),
            torch.tensor(skipped, device=device),
        ])
        if get_world_size() > 1:
            all_reduce(stats, op='sum')
        (mask_sum, n, n_correct, n_known, n_correct_kept, n_known_kept,
         nonfinite, n_skipped) = stats.unbind()
        if nonfinite.item() > 0:
            bad = {k: float(v.detach().sum()) for k, v in losses.items()
                   if 'loss' in k and not torch.isfinite(v).all()}
            raise FloatingPointError(
                'non-finite loss; training stopped before the optimizer step '
                'so that neither student nor teacher is updated with it. '
                f'Non-finite terms on this rank: {bad or "(other rank)"}. '
                'Lower the learning rate, enable gradient clipping, or check '
                'the input data.')
        if n_skipped > 0:
            self.num_skipped_unlabeled += n_skipped
            MMLogger.get_current_instance().warning(
                f'{int(n_skipped)} unreadable unlabeled sample(s) skipped in '
                f'this iteration ({int(self.num_skipped_unlabeled)} so far)')
        out = dict(
            mask_ratio=mask_sum / n.clamp(min=1),
            pl_acc=n_correct / n_known.clamp(min=1),
            pl_acc_kept=n_correct_kept / n_known_kept.clamp(min=1),
            unsup_weight=torch.tensor(weight, device=device),
            skipped_unlabeled=self.num_skipped_unlabeled.clone())
        threshold = getattr(self, 'threshold', None)
        if threshold is not None and hasattr(threshold, 'current'):
            out['threshold'] = torch.tensor(
                float(threshold.current()), device=device)
        return out

    # ---------------------------------------------------------- predict
    def predict(self, inputs: Tensor, data_samples: List) -> List:
        if self.predict_on == 'student':
            return self.student.predict(inputs, data_samples)
        if self.predict_on == 'teacher':
            return self.teacher.module.predict(inputs, data_samples)
        student = [
            s.pred_score.clone()
            for s in self.student.predict(inputs, data_samples)
        ]
        outputs = self.teacher.module.predict(inputs, data_samples)
        for sample, score in zip(outputs, student):
            # set_pred_score would check len(dict) against num_classes
            sample.set_field(
                dict(teacher=sample.pred_score, student=score), 'pred_score')
        return outputs
