"""Recognizer-agnostic I/O: run a stock MMAction2 recognizer over named
groups of clips and read back, per group, pooled features, logits and
(optionally) backbone stage outputs.

Nothing here depends on the recognizer's or head's class: logits come from
the recognizer's own ``extract_feat(stage='head')`` (so 2D heads fuse their
segments as usual), pooled features are the input of the head's classifier
(captured by a forward pre-hook, so they are pooled by the head's own
code), and stage outputs are captured by forward hooks on named backbone
sub-modules (so the backbone's ``out_indices`` stay untouched and the
recognizer's own ``predict`` keeps working).
"""
import contextlib
from typing import (Dict, Iterator, List, NamedTuple, Optional, Sequence,
                    Tuple)

import torch
from torch import Tensor, nn


class GroupOutput(NamedTuple):
    """What one recognizer pass produced for one group of samples.

    Attributes:
        logits (Tensor): ``(N, K)`` per-sample logits (clip logits averaged).
        feats (Tensor): ``(N, C)`` per-sample pooled features, the input of
            the head's classifier averaged over the sample's rows.
        clip_logits (Tensor): ``(N * r, K)`` logits as the head returned them
            (``r`` = clips of 3D/GCN inputs, 1 for 2D heads that fuse segments).
        clip_feats (Tensor): ``(N * c, C)`` classifier inputs as the head
            computed them (``c`` = 1, clips, or segments for TSM-like heads).
        stages (tuple[Tensor], optional): Outputs of the requested backbone
            stages, ``N * s`` rows each (``s`` = clips or segments).
    """
    logits: Tensor
    feats: Tensor
    clip_logits: Tensor
    clip_feats: Tensor
    stages: Optional[Tuple[Tensor, ...]] = None

    @property
    def num_samples(self) -> int:
        return self.logits.shape[0]

    @property
    def rows_per_sample(self) -> int:
        """Rows of each stage output per sample (clips or segments)."""
        if not self.stages:
            return 1
        return self.stages[-1].shape[0] // self.num_samples


def recognizer_num_classes(recognizer: nn.Module) -> Optional[int]:
    """``num_classes`` of the recognizer's head, None when it has none."""
    head = getattr(recognizer, 'cls_head', None)
    return getattr(head, 'num_classes', None)


def classifier_of(head: nn.Module) -> nn.Linear:
    """The head's final linear classifier: ``fc_cls`` (MMAction2's name) or,
    failing that, the last ``nn.Linear`` registered in the head (e.g.
    ``X3DHead.fc2``)."""
    fc = getattr(head, 'fc_cls', None)
    if isinstance(fc, nn.Linear):
        return fc
    linears = [m for m in head.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise TypeError(
            f'{type(head).__name__} has no linear classifier; pooled '
            'features cannot be read from it')
    return linears[-1]


def default_stage_names(backbone: nn.Module) -> Tuple[str, ...]:
    """Names of the backbone's stages: ``res_layers`` of MMAction2's ResNets
    (2D, TSM, 3D, SlowOnly, X3D), else the children of the first block list
    found (``gcn`` of ST-GCN, ``transformer_layers.layers`` of TimeSformer,
    ``blocks`` of ViTs, ``layers``)."""
    names = getattr(backbone, 'res_layers', None)
    if names:
        return tuple(names)
    modules = dict(backbone.named_modules())
    for path in ('gcn', 'transformer_layers.layers', 'blocks',
                 'transformer.resblocks', 'layers'):
        seq = modules.get(path)
        if isinstance(seq, (nn.ModuleList, nn.Sequential)):
            return tuple(f'{path}.{i}' for i in range(len(seq)))
    raise ValueError(
        f'cannot tell the stages of {type(backbone).__name__}; pass the '
        'sub-module names explicitly (e.g. stages=("layer1", "layer4"))')


def per_sample(rows: Tensor, num_samples: int) -> Tensor:
    """Average each sample's rows: ``(N * r, ...) -> (N, ...)``."""
    if rows.shape[0] == num_samples:
        return rows
    if rows.shape[0] % num_samples:
        raise ValueError(f'{rows.shape[0]} rows do not split into '
                         f'{num_samples} samples')
    return rows.view(num_samples, -1, *rows.shape[1:]).mean(dim=1)


@contextlib.contextmanager
def _capture(recognizer: nn.Module, stage_names: Sequence[str]):
    """Record the classifier input and the named backbone stage outputs of
    every forward inside the block."""
    record: Dict[str, List[Tensor]] = dict(feats=[], stages=[])
    fc = classifier_of(recognizer.cls_head)
    modules = dict(recognizer.backbone.named_modules())
    handles = [fc.register_forward_pre_hook(
        lambda m, args: record['feats'].append(args[0]))]
    for name in stage_names:
        if name not in modules:
            raise KeyError(f'backbone {type(recognizer.backbone).__name__} '
                           f'has no sub-module {name!r}')
        handles.append(modules[name].register_forward_hook(
            lambda m, args, out: record['stages'].append(out)))
    try:
        yield record
    finally:
        for h in handles:
            h.remove()


def _single_pass(recognizer: nn.Module, inputs: Tensor,
                 stage_names: Sequence[str]):
    with _capture(recognizer, stage_names) as record:
        logits, _ = recognizer.extract_feat(inputs, stage='head')
    if len(record['feats']) != 1:
        raise RuntimeError(
            f'the classifier ran {len(record["feats"])} times in one pass; '
            'pooled features are ambiguous for this head')
    feats = record['feats'][0]
    return logits, feats.reshape(feats.shape[0], -1), tuple(record['stages'])


def run_recognizer(recognizer: nn.Module,
                   groups: Dict[str, Tensor],
                   concat: bool = True,
                   stages: Optional[Sequence[str]] = None
                   ) -> Dict[str, GroupOutput]:
    """Run a stock recognizer over named groups of samples.

    With ``concat`` and equal per-sample shapes the groups go through one
    pass over their concatenation (BN statistics over all groups together,
    as FixMatch and LTG do); otherwise one pass per group.

    Args:
        recognizer (nn.Module): A ``BaseRecognizer`` (2D, 3D, GCN, ...).
        groups (dict[str, Tensor]): Group name -> inputs as the recognizer's
            ``loss`` receives them, e.g. ``(N, clips, C, T, H, W)`` for 3D,
            ``(N, segs, C, H, W)`` for 2D, ``(N, clips, M, T, V, C)`` for GCN.
        concat (bool): One pass over all groups when possible.
            Defaults to True.
        stages (Sequence[str], optional): Backbone sub-module names whose
            outputs to return (:func:`default_stage_names` gives the usual
            ones). Defaults to None (no stage outputs).

    Returns:
        dict[str, GroupOutput]: One output per group, in the given order.
    """
    names = list(groups)
    tensors = [groups[n] for n in names]
    stage_names = tuple(stages or ())
    same = all(t.shape[1:] == tensors[0].shape[1:] for t in tensors)
    if concat and same and len(tensors) > 1:
        passes = [(names, torch.cat(tensors))]
    else:
        passes = [([n], t) for n, t in zip(names, tensors)]
    out = {}
    for pass_names, inputs in passes:
        logits, feats, stage_outs = _single_pass(recognizer, inputs,
                                                 stage_names)
        sizes = [groups[n].shape[0] for n in pass_names]
        total = sum(sizes)

        def split(x: Tensor) -> Tuple[Tensor, ...]:
            rows = x.shape[0] // total
            return torch.split(x, [s * rows for s in sizes])

        parts = zip(split(logits), split(feats),
                    *[split(s) for s in stage_outs])
        for name, size, (lg, ft, *st) in zip(pass_names, sizes, parts):
            out[name] = GroupOutput(
                logits=per_sample(lg, size),
                feats=per_sample(ft, size),
                clip_logits=lg,
                clip_feats=ft,
                stages=tuple(st) if stage_names else None)
    return {n: out[n] for n in names}


def dataset_batches(recognizer: nn.Module,
                    dataset,
                    batch_size: int,
                    indices: Optional[Sequence[int]] = None
                    ) -> Iterator[Tuple[List[int], dict]]:
    """Batches of a dataset's samples as the recognizer's data preprocessor
    gives them for inference (``training=False``: no batch augments), in
    order: the loop every offline tool runs (pseudo-label reliability,
    temporal-similarity scores, diagnostics).

    Args:
        recognizer (nn.Module): Owner of the ``data_preprocessor`` (which
            moves the batch to the recognizer's device).
        dataset (Sequence): Indexable dataset of packed samples.
        batch_size (int): Samples per batch (the last one may be smaller).
        indices (Sequence[int], optional): The samples, in this order.
            Defaults to all of them.

    Yields:
        tuple[list[int], dict]: The batch's dataset indices and the
        preprocessed batch (``inputs``, ``data_samples``).
    """
    from mmengine.dataset import pseudo_collate
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    order = list(range(len(dataset)) if indices is None else indices)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        yield idx, recognizer.data_preprocessor(
            pseudo_collate([dataset[i] for i in idx]), False)


def recognizer_logits(recognizer: nn.Module, inputs: Tensor) -> Tensor:
    """Per-sample ``(N, K)`` logits of one batch (training layout)."""
    return run_recognizer(recognizer, dict(x=inputs))['x'].logits


def dropout_modules(module: nn.Module) -> List[nn.Module]:
    """Every dropout layer of ``module`` (``nn.Dropout``, ``Dropout2d``,
    ...) that drops something (``p > 0``: TimeSformer's ``Dropout(p=0)``
    layers must not force full MC passes)."""
    return [m for m in module.modules()
            if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0]


@contextlib.contextmanager
def only_dropout_active(module: nn.Module):
    """Inside the block ``module`` is in eval mode except its dropout layers
    (MC dropout: BN keeps its running statistics); restored afterwards."""
    modes = {m: m.training for m in module.modules()}
    module.eval()
    for m in dropout_modules(module):
        m.train()
    try:
        yield
    finally:
        for m, mode in modes.items():
            m.training = mode


@torch.no_grad()
def mc_dropout_logits(recognizer: nn.Module, inputs: Tensor,
                      passes: int) -> Tensor:
    """``passes`` stochastic forward passes with only dropout active.

    When every dropout layer sits in the head, the backbone runs once and
    only the head is repeated (same distribution, a fraction of the cost).

    Args:
        recognizer (nn.Module): A stock recognizer (any mode; restored).
        inputs (Tensor): One batch, ``(N, ...)``.
        passes (int): Number of passes T.

    Returns:
        Tensor: ``(T, N, K)`` per-sample logits.
    """
    if passes < 1:
        raise ValueError(f'passes must be >= 1, got {passes}')
    head = recognizer.cls_head
    head_only = not any(
        set(dropout_modules(m)) for name, m in recognizer.named_children()
        if m is not head)
    out = []
    with only_dropout_active(recognizer):
        if not head_only:
            for _ in range(passes):
                out.append(recognizer_logits(recognizer, inputs))
            return torch.stack(out)
        stage = 'neck' if getattr(recognizer, 'with_neck', False) \
            else 'backbone'
        feats, kwargs = recognizer.extract_feat(inputs, stage=stage)
        kwargs = {k: v for k, v in kwargs.items() if k == 'num_segs'}
        for _ in range(passes):
            logits = head(feats, **kwargs)
            out.append(per_sample(logits, inputs.shape[0]))
    return torch.stack(out)
