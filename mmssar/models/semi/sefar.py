"""SeFAR (Huang et al., AAAI 2025) on the SSL template."""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmssar.registry import MODELS, TASK_UTILS
from ..task_modules.mc_dropout_weighter import mc_dropout_output
from ..utils.recognizer_io import GroupOutput, run_recognizer
from .base import SemiRecognizer
from .semi_step import PseudoLabels, SemiStep


@MODELS.register_module()
class SeFARRecognizer(SemiRecognizer):
    """EMA-teacher pseudo-labels of the weak view, weighted by MC-dropout
    Adaptive Regulation, supervise the temporally perturbed strong view; a
    Tube-TokenMix branch regresses mixed soft targets::

        L = CE_sup + r · (γ1 · mean_i(w_i · CE(student(strong_i), ŷ_i))
                          + γ2 · mean_i(w_mix_i · MSE(student(mix_i),
                                                      y_mix_i)))

    ŷ = argmax p̄, p̄ the mean of T teacher passes with only dropout
    active, w from :class:`~mmssar.models.task_modules.MCDropoutWeighter`,
    r the scheduled ``unsup_weight`` (SeFAR: :class:`SineRampWeight`).
    The dual-level temporal elements are the student's business
    (``ElementGroupBackbone`` + ``SeFARFusionHead``), the moderate temporal
    perturbation the strong view's (``TemporalPerturbation`` in the
    pipeline or ``BatchTemporalPerturbation`` in the preprocessor), so any
    recognizer can be the student and each component can be ablated in the
    config. ``configs/sefar/README.md`` lists every deviation from the
    official code.

    ``semi_train_cfg`` keys (besides the base ones):

    - ``mc_passes`` (int): T. Defaults to 10.
    - ``regulation`` (dict | None): The weighter; None gives every
      pseudo-label weight 1 (the "w/o Ada-Reg" ablation; a threshold can
      still be added through ``weighters``). Defaults to
      ``dict(type='MCDropoutWeighter')``.
    - ``strong_weight`` (float): γ1. Defaults to 2.
    - ``mix_weight`` (float): γ2. Defaults to 2.
    - ``token_mix`` (dict | None): The mix branch; None removes it.
      Defaults to ``dict(type='TubeTokenMix', alpha=10., patch_size=16)``.
    - ``mix_on`` (str): ``'logits'`` (official: MSE between raw logits and
      mixed probabilities) or ``'probs'``. Defaults to ``'logits'``.
    - ``supervised_warmup`` (bool): While ``unsup_weight`` is 0 only the
      labeled batch is used (SeFAR's warm-up epochs), and the EMA teacher
      restarts as a copy of the student at the first semi-supervised step
      (the official creates it then). Defaults to True.
    - ``loss`` (dict): Pseudo-label loss. Defaults to
      ``dict(type='MaskedCrossEntropyLoss', normalize='all')`` (mean over
      all unlabeled samples).

    Views: unlabeled ``weak`` (teacher) and ``strong`` (student; the mix
    branch mixes it). Needs an EMA teacher named ``teacher``.
    """

    train_cfg_defaults = dict(
        mc_passes=10,
        regulation=dict(type='MCDropoutWeighter'),
        strong_weight=2.0,
        mix_weight=2.0,
        token_mix=dict(type='TubeTokenMix', alpha=10., patch_size=16),
        mix_on='logits',
        supervised_warmup=True,
        loss=dict(type='MaskedCrossEntropyLoss', normalize='all'))
    student_views = ('strong', )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.teacher is None or not self.teacher.is_ema:
            raise ValueError('SeFAR needs an EMA teacher named "teacher"')
        cfg = self.semi_train_cfg
        self.teacher_views = dict(teacher=('weak', ))
        self.mc_passes = int(cfg['mc_passes'])
        if self.mc_passes < 1:
            raise ValueError(f'mc_passes must be >= 1, got {self.mc_passes}')
        if cfg['mix_on'] not in ('logits', 'probs'):
            raise ValueError(
                f"mix_on must be 'logits' or 'probs', got {cfg['mix_on']!r}")
        self.strong_weight = float(cfg['strong_weight'])
        self.mix_weight = float(cfg['mix_weight'])
        self.token_mix = (TASK_UTILS.build(cfg['token_mix'])
                          if cfg['token_mix'] else None)
        self.unsup_loss = MODELS.build(cfg['loss'])
        # float: MMAction2's SyncBuffersHook mean-reduces buffers
        self.register_buffer('ssl_started', torch.zeros(()))

    def default_weighters(self) -> List[dict]:
        regulation = self.semi_train_cfg['regulation']
        return [regulation] if regulation else []

    def _is_bookkeeping(self, name: str) -> bool:
        return name == 'ssl_started' or super()._is_bookkeeping(name)

    # ----------------------------------------------------------- warm-up
    def loss(self, inputs, data_samples,
             meta: Optional[dict] = None) -> Dict[str, Tensor]:
        if (isinstance(inputs, dict) and 'sup' in inputs
                and self.semi_train_cfg['supervised_warmup']):
            if self.unsup_weight() == 0:
                losses = self.student.loss(inputs['sup'][self.sup_view],
                                           data_samples['sup'])
                return {
                    f'sup_{k}': v * self.sup_weight if 'loss' in k else v
                    for k, v in losses.items()
                }
            if not self.ssl_started:
                # every rank reads the same schedule, so all sync together
                self.sync_teacher()
                self.ssl_started.fill_(1.)
        return super().loss(inputs, data_samples, meta)

    # ------------------------------------------------------------ steps
    @torch.no_grad()
    def teacher_passes(self, step: SemiStep
                       ) -> Dict[str, Dict[str, GroupOutput]]:
        """T MC-dropout passes of the teacher on the weak view (laid out as
        :func:`mc_dropout_output` describes)."""
        return dict(teacher=dict(weak=mc_dropout_output(
            self.teacher.module, step.batch.unsup['weak'], self.mc_passes)))

    def pseudo_labels(self, step: SemiStep) -> PseudoLabels:
        """ŷ = argmax p̄ (hard), probabilities p̄ (the mix targets)."""
        probs = step.teachers['teacher']['weak'].logits.softmax(dim=-1)
        targets = F.one_hot(probs.argmax(dim=-1),
                            probs.shape[-1]).to(probs.dtype)
        return PseudoLabels(probs, targets, probs.new_ones(probs.shape[0]))

    def unsupervised_loss(self, step: SemiStep) -> Dict[str, Tensor]:
        p = step.pseudo
        out = dict(loss_cls=self.strong_weight * self.unsup_loss(
            step.student['strong'].logits, p.targets, p.weights))
        if self.token_mix is not None:
            out['loss_mix'] = self.mix_weight * self.mix_loss(step)
        return out

    def mix_loss(self, step: SemiStep) -> Tensor:
        """Weighted MSE of the student on Tube-TokenMix clips of the strong
        view against ``λ p̄_i + (1 − λ) p̄_perm(i)``, weights mixed alike."""
        p = step.pseudo
        mix = self.token_mix(step.batch.unsup['strong'])
        logits = run_recognizer(self.student, dict(mix=mix.inputs))['mix']
        pred = logits.logits
        if self.semi_train_cfg['mix_on'] == 'probs':
            pred = pred.softmax(dim=-1)
        lam, perm = mix.lam, mix.perm
        target = lam * p.probs + (1 - lam) * p.probs[perm]
        weights = lam * p.weights + (1 - lam) * p.weights[perm]
        step.logs['mix_lambda'] = pred.new_tensor(lam)
        mse = (pred - target.to(pred.dtype)).pow(2).mean(dim=-1)
        return (weights.detach() * mse).mean()
