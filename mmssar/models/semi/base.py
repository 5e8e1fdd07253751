"""The template every semi-supervised recognizer follows.

One training step is a fixed sequence of named steps (see
:meth:`SemiRecognizer.compute_losses`); an algorithm overrides only the
steps it changes::

    student_pass -> teacher_passes -> supervised_loss -> pseudo_labels
    -> weighters (multiplied in order) -> unsupervised_loss -> extra_losses
    -> update_memories
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from torch import Tensor, nn

from mmssar.registry import MODELS, TASK_UTILS
from ..utils.recognizer_io import (GroupOutput, recognizer_num_classes,
                                   run_recognizer)
from .semi_step import (PseudoLabels, SemiBatch, SemiLosses, SemiStep,
                        batch_meta)

_DEFAULT_TEACHER = dict(type='TeacherEMA', momentum=0.001)
_UNSET = object()


@MODELS.register_module()
class SemiRecognizer(BaseModel):
    """Turn any MMAction2 recognizer into the student of an SSL algorithm.

    The student is built from an ordinary recognizer config (Recognizer2D,
    Recognizer3D, RecognizerGCN, ...), so a semi-supervised config inherits
    a stock MMAction2 recipe and sets ``student=_base_.model``. Teachers
    live inside this model (frozen, always in eval mode, in the
    ``state_dict`` so resume restores them): EMA teachers are updated by
    :class:`~mmssar.engine.EMATeacherHook` after real optimizer steps,
    frozen ones (:class:`~mmssar.models.teachers.FrozenTeacher`) load a
    checkpoint once.

    All per-iteration computation happens in ``forward(mode='loss')`` so
    that DDP (which bypasses a model's own ``train_step``) sees it.

    Args:
        student (dict): Config of an MMAction2 recognizer. Its
            ``data_preprocessor`` becomes the one wrapped by
            :class:`SemiDataPreprocessor` unless ``data_preprocessor`` is
            given.
        teacher (dict, optional): Shorthand for ``teachers=dict(teacher=...)``.
            Defaults to an EMA teacher (``dict(type='TeacherEMA',
            momentum=0.001)``) when ``teachers`` is not given; None: no
            default teacher.
        teachers (dict[str, dict], optional): Named teachers, e.g.
            ``dict(inv=dict(type='FrozenTeacher', checkpoint=...),
            ema=dict(type='TeacherEMA', momentum=0.001))``; each is built
            with ``model=<the student>`` as default argument.
        data_preprocessor (dict, optional): Defaults to a
            ``SemiDataPreprocessor`` around the student's preprocessor.
        semi_train_cfg (dict, optional): Keys of :attr:`train_cfg_defaults`
            along the class hierarchy; unknown keys are refused. Base keys:
            ``sup_weight`` (1.0); ``unsup_weight`` (a float or a schedule
            config such as ``dict(type='RampUpWeight', weight=1.,
            warmup=0, rampup=1000)``); ``concat_forward`` (True: one
            student pass over labeled and unlabeled views when their shapes
            agree, so BN sees them together); ``weighters`` (list of
            ``TASK_UTILS`` configs of per-sample weighters, applied after
            the algorithm's own); ``memories`` (dict name -> config of
            memory modules kept across iterations).
        semi_test_cfg (dict, optional): ``predict_on`` = ``'student'``, a
            teacher name, ``'both'`` (``'teacher'`` and ``'student'``) or a
            list of names (one validation pass yields ``acc/<name>_top1``
            for each). Defaults to ``'teacher'`` when there is such a
            teacher, else ``'student'``.
        init_cfg (dict, optional): Initialisation config.
    """

    #: ``semi_train_cfg`` keys this class adds, with their defaults
    train_cfg_defaults: dict = dict(
        sup_weight=1.0,
        unsup_weight=1.0,
        concat_forward=True,
        weighters=[],
        memories={})
    #: the labeled view the supervised loss uses
    sup_view: str = 'default'
    #: further labeled views the algorithm reads
    extra_sup_views: Tuple[str, ...] = ()
    #: unlabeled views the student forwards
    student_views: Tuple[str, ...] = ()

    def __init__(self,
                 student: dict,
                 teacher: Optional[dict] = _UNSET,
                 teachers: Optional[Dict[str, dict]] = None,
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
        self.teachers = nn.ModuleDict({
            name: MODELS.build(cfg, default_args=dict(model=self.student))
            for name, cfg in self._teacher_cfgs(teacher, teachers).items()
        })
        #: teacher name -> unlabeled views it sees (algorithms set this)
        self.teacher_views: Dict[str, Tuple[str, ...]] = {}

        self.semi_train_cfg = self._resolve_train_cfg(semi_train_cfg)
        cfg = self.semi_train_cfg
        self.sup_weight = float(cfg['sup_weight'])
        weight = cfg['unsup_weight']
        if isinstance(weight, (int, float)):
            weight = dict(type='RampUpWeight', weight=float(weight))
        self.unsup_weight = TASK_UTILS.build(weight)
        self.concat_forward = bool(cfg['concat_forward'])
        self.weighters = nn.ModuleList([
            TASK_UTILS.build(w)
            for w in [*self.default_weighters(), *cfg['weighters']]
        ])
        self.memories = nn.ModuleDict(
            {k: MODELS.build(v) for k, v in cfg['memories'].items()})

        test_cfg = dict(semi_test_cfg or {})
        self.predict_on = test_cfg.pop(
            'predict_on', 'teacher' if 'teacher' in self.teachers else
            'student')
        for name in self._predictors():
            self._network(name)  # refuses unknown names now, not at val
        if test_cfg:
            raise KeyError(f'unknown semi_test_cfg keys {sorted(test_cfg)}; '
                           "valid keys: ['predict_on']")
        # float: MMAction2's SyncBuffersHook mean-reduces buffers
        self.register_buffer('num_skipped_unlabeled', torch.zeros(()))

    # ------------------------------------------------------ construction
    @staticmethod
    def _teacher_cfgs(teacher, teachers) -> Dict[str, dict]:
        cfgs = dict(teachers or {})
        if teacher is _UNSET:
            teacher = _DEFAULT_TEACHER if teachers is None else None
        if teacher is not None:
            if 'teacher' in cfgs:
                raise ValueError('a teacher named "teacher" is given twice '
                                 '(teacher= and teachers=)')
            cfgs = dict(teacher=teacher, **cfgs)
        return cfgs

    @classmethod
    def valid_train_cfg(cls) -> dict:
        """Defaults of every ``semi_train_cfg`` key along the hierarchy."""
        out = {}
        for klass in reversed(cls.__mro__):
            out.update(vars(klass).get('train_cfg_defaults', {}))
        return copy.deepcopy(out)

    def _resolve_train_cfg(self, cfg: Optional[dict]) -> dict:
        out = self.valid_train_cfg()
        unknown = sorted(set(cfg or {}) - set(out))
        if unknown:
            raise KeyError(
                f'unknown semi_train_cfg keys {unknown} for '
                f'{type(self).__name__}; valid keys: {sorted(out)}')
        out.update(copy.deepcopy(dict(cfg or {})))
        return out

    def default_weighters(self) -> List[dict]:
        """Weighter configs the algorithm itself uses (e.g. its threshold);
        the ``weighters`` of ``semi_train_cfg`` come after them."""
        return []

    # ------------------------------------------------------------ basics
    @property
    def num_classes(self) -> Optional[int]:
        return recognizer_num_classes(self.student)

    @property
    def teacher(self) -> Optional[nn.Module]:
        """The teacher named ``'teacher'`` (the one-EMA shorthand)."""
        return self.teachers['teacher'] if 'teacher' in self.teachers \
            else None

    def ema_teachers(self) -> List[nn.Module]:
        return [t for t in self.teachers.values() if t.is_ema]

    @property
    def has_ema_teacher(self) -> bool:
        """Whether something must call :meth:`update_teacher` each step."""
        return bool(self.ema_teachers())

    def _skip_in_init(self) -> set:
        return {self.student, *self.teachers.values()}

    def init_weights(self) -> None:
        # Teachers are not initialised from their own init_cfg (that would
        # e.g. fetch pretrained weights a second time): EMA teachers copy
        # the student, frozen ones load their checkpoint.
        self.student.init_weights()
        for t in self.teachers.values():
            if not t.is_ema:
                t.init_weights()
        self.sync_teacher()
        skip = self._skip_in_init()
        for child in self.children():
            if child not in skip and hasattr(child, 'init_weights'):
                child.init_weights()

    @torch.no_grad()
    def sync_teacher(self) -> None:
        """Make every EMA teacher an exact copy of the student."""
        for t in self.ema_teachers():
            t.copy_from(self.student)

    @torch.no_grad()
    def update_teacher(self) -> None:
        """One EMA step of every EMA teacher towards the student."""
        for t in self.ema_teachers():
            t.update_parameters(self.student)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        keys = [k for k in state_dict if k.startswith(prefix)]
        # checkpoints of mmssar < 0.2 stored the one EMA teacher as
        # `teacher.module.*`
        for key in keys:
            if key[len(prefix):].startswith('teacher.'):
                state_dict[f'{prefix}teachers.{key[len(prefix):]}'] = \
                    state_dict.pop(key)
        keys = [k for k in state_dict if k.startswith(prefix)]
        own = self.state_dict()
        if keys and not any(k[len(prefix):] in own for k in keys):
            # A plain MMAction2 recognizer checkpoint (`backbone.*`,
            # `cls_head.*`) initialises the student and the EMA teachers;
            # the run's own bookkeeping (counters, frozen teachers,
            # memories) keeps its current state instead of being reported
            # missing.
            ema = [n for n, t in self.teachers.items() if t.is_ema]
            for key in keys:
                value = state_dict.pop(key)
                name = key[len(prefix):]
                state_dict[f'{prefix}student.{name}'] = value
                for n in ema:
                    state_dict[f'{prefix}teachers.{n}.module.{name}'] = value
            for name, value in own.items():
                if self._is_bookkeeping(name):
                    state_dict.setdefault(prefix + name, value)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _is_bookkeeping(self, name: str) -> bool:
        """State-dict keys a plain recognizer checkpoint cannot provide:
        counters, memories, weighter state, EMA step counts and frozen
        teachers (which load their own checkpoint)."""
        parts = name.split('.')
        if parts[0] == 'teachers' and len(parts) > 2:
            return parts[2] == 'steps' and len(parts) == 3 or \
                not self.teachers[parts[1]].is_ema
        return name == 'num_skipped_unlabeled' or parts[0] in (
            'memories', 'weighters')

    # ----------------------------------------------------------- forward
    def forward(self, inputs, data_samples=None, mode: str = 'tensor',
                meta: Optional[dict] = None):
        if mode == 'loss':
            return self.loss(inputs, data_samples, meta)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.student(inputs, data_samples, mode='tensor')
        raise RuntimeError(f'Invalid mode "{mode}".')

    def loss(self, inputs, data_samples,
             meta: Optional[dict] = None) -> Dict[str, Tensor]:
        if not (isinstance(inputs, dict) and 'sup' in inputs):
            # a plain labeled batch: supervised training of the student
            return self.student.loss(inputs, data_samples)
        if meta is None:
            meta = batch_meta(data_samples['sup'], data_samples['unsup'],
                              self.num_skipped_unlabeled.device)
        batch = SemiBatch(inputs['sup'], inputs['unsup'],
                          data_samples['sup'], data_samples['unsup'],
                          meta['sup'], meta['unsup'])
        out = self.compute_losses(batch)
        losses = {}
        for k, v in out.sup.items():
            losses[f'sup_{k}'] = v * self.sup_weight if 'loss' in k else v
        weight = self.unsup_weight()
        for k, v in out.unsup.items():
            losses[f'unsup_{k}'] = v * weight
        losses.update(out.extra)
        losses.update(out.logs)
        losses.update(self._monitor(losses, out.pseudo, batch, weight))
        return losses

    # ---------------------------------------------------------- template
    def compute_losses(self, batch: SemiBatch) -> SemiLosses:
        """All loss terms of one (labeled, unlabeled) batch pair, as a fixed
        sequence of steps; algorithms override the steps, not this."""
        step = SemiStep(batch)
        self.require_views(batch)
        step.student = self.student_pass(step)
        step.teachers = self.teacher_passes(step)
        sup = self.supervised_loss(step)
        step.pseudo = self.pseudo_labels(step)
        if step.pseudo is not None:
            step.pseudo = self.apply_weighters(step)
        unsup = self.unsupervised_loss(step)
        extra = self.extra_losses(step)
        self.update_memories(step)
        return SemiLosses(sup, unsup, extra, step.pseudo, step.logs)

    def require_views(self, batch: SemiBatch) -> None:
        """Refuse a batch without the views this algorithm reads."""
        needed = [('labeled', batch.sup,
                   (self.sup_view, ) + self.extra_sup_views),
                  ('unlabeled', batch.unsup, self.student_views + tuple(
                      v for vs in self.teacher_views.values() for v in vs))]
        for role, views, names in needed:
            missing = sorted(set(names) - set(views))
            if missing:
                raise KeyError(
                    f'{type(self).__name__} needs {role} views {missing}; '
                    f'the {role} pipeline produced {sorted(views)}')

    def student_pass(self, step: SemiStep) -> Dict[str, GroupOutput]:
        """The student over ``'sup'`` and :attr:`student_views`."""
        groups = dict(sup=step.batch.sup[self.sup_view])
        groups.update({v: step.batch.unsup[v] for v in self.student_views})
        return run_recognizer(self.student, groups, self.concat_forward)

    @torch.no_grad()
    def teacher_passes(self, step: SemiStep
                       ) -> Dict[str, Dict[str, GroupOutput]]:
        """Every teacher over the views :attr:`teacher_views` gives it."""
        return {
            name: run_recognizer(self.teachers[name].module,
                                 {v: step.batch.unsup[v] for v in views})
            for name, views in self.teacher_views.items()
        }

    def supervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        """The student head's own loss on the labeled samples."""
        return self.student.cls_head.loss_by_feat(
            step.student['sup'].logits, step.batch.sup_samples)

    def pseudo_labels(self, step: SemiStep) -> Optional[PseudoLabels]:
        """Targets for the unlabeled samples (weights all 1 here; the
        weighters set them). None: the algorithm has none."""
        return None

    def apply_weighters(self, step: SemiStep) -> PseudoLabels:
        """Multiply the pseudo-label weights by every weighter, in order.

        A weighter is called as ``weighter(probs, step)`` with ``(M, K)``
        probabilities and returns ``(M,)`` weights.
        """
        pseudo = step.pseudo
        weights = pseudo.weights
        for weighter in self.weighters:
            weights = weights * weighter(pseudo.probs, step)
        return pseudo._replace(weights=weights)

    def unsupervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        """Terms scaled by the scheduled ``unsup_weight``."""
        return {}

    def extra_losses(self, step: SemiStep) -> Dict[str, Tensor]:
        """Terms with their own weights (contrastive, alignment, ...)."""
        return {}

    def update_memories(self, step: SemiStep) -> None:
        """Write this step's results into :attr:`memories` (after the
        losses, so a step never reads what it wrote itself)."""

    # --------------------------------------------------------- monitoring
    def log_values(self) -> Dict[str, float]:
        """Values the components report (thresholds, bank fill, ...)."""
        out = {}
        for comp in [self.unsup_weight, *self.weighters,
                     *self.memories.values()]:
            if hasattr(comp, 'log_values'):
                out.update(comp.log_values())
        return out

    def _monitor(self, losses: Dict[str, Tensor],
                 pseudo: Optional[PseudoLabels], batch: SemiBatch,
                 weight: float) -> Dict[str, Tensor]:
        """Mask ratio, pseudo-label accuracy (all / kept), skipped files.

        One all-reduce of a packed vector per iteration; it also carries a
        non-finite-loss flag so that every rank stops together.
        """
        meta = batch.unsup_meta
        device = meta['hidden_labels'].device
        hidden = meta['hidden_labels']
        n = float(hidden.shape[0])
        if pseudo is not None:
            probs = pseudo.probs.detach()
            weights = pseudo.weights.detach().float()
        else:
            probs = torch.zeros(hidden.shape[0], 1, device=device)
            weights = torch.zeros(hidden.shape[0], device=device)
        known = (hidden >= 0).float()
        correct = (probs.argmax(dim=-1) == hidden).float() * known
        kept = (weights > 0).float()
        total = sum(v.sum() for k, v in losses.items() if 'loss' in k)
        stats = torch.stack([
            weights.sum(),
            torch.tensor(n, device=device),
            correct.sum(),
            known.sum(),
            (correct * kept).sum(),
            (known * kept).sum(),
            (~torch.isfinite(total.detach())).float(),
            meta['num_skipped'].to(device).float(),
        ])
        if get_world_size() > 1:
            all_reduce(stats, op='sum')
        (weight_sum, n, n_correct, n_known, n_correct_kept, n_known_kept,
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
            unsup_weight=torch.tensor(weight, device=device),
            skipped_unlabeled=self.num_skipped_unlabeled.clone())
        if pseudo is not None:
            out['mask_ratio'] = weight_sum / n.clamp(min=1)
            if n_known > 0:  # no hidden labels: nothing to measure
                out['pl_acc'] = n_correct / n_known
                out['pl_acc_kept'] = n_correct_kept / n_known_kept.clamp(
                    min=1)
        for k, v in self.log_values().items():
            out[k] = torch.as_tensor(v, dtype=torch.float32, device=device)
        return out

    # ---------------------------------------------------------- predict
    def _predictors(self) -> List[str]:
        if self.predict_on == 'both':
            return ['teacher', 'student']
        if isinstance(self.predict_on, (list, tuple)):
            return list(self.predict_on)
        return [self.predict_on]

    def _network(self, name: str) -> nn.Module:
        if name == 'student':
            return self.student
        if name in self.teachers:
            return self.teachers[name].module
        raise ValueError(
            f'predict_on names {name!r}, which is neither "student" nor a '
            f'teacher ({sorted(self.teachers)})')

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        names = self._predictors()
        if len(names) == 1:
            return self._network(names[0]).predict(inputs, data_samples)
        scores = {
            name: [s.pred_score.clone() for s in self._network(name).predict(
                inputs, data_samples)]
            for name in names[1:]
        }
        outputs = self._network(names[0]).predict(inputs, data_samples)
        for i, sample in enumerate(outputs):
            score = {names[0]: sample.pred_score}
            score.update({n: scores[n][i] for n in names[1:]})
            # set_pred_score would check len(dict) against num_classes
            sample.set_field(score, 'pred_score')
        return outputs
