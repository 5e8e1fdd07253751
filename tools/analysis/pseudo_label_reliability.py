"""How good would a model's pseudo-labels be on the unlabeled pool?

Runs a checkpoint (a labeled-only model, or the teacher / student of an SSL
run) over the unlabeled clips of a semi-supervised config with the
validation pipeline, compares its predictions with the hidden labels and
prints, per confidence threshold, the share of clips kept and the accuracy
of the kept pseudo-labels, then per class the recall, the share of clips
predicted as the class and the kept accuracy at ``--class-threshold``.

It answers the first question when pseudo-labelling does not pay off:
are the pseudo-labels wrong (a threshold cannot fix that), too few, or
piled onto a few classes (class-wise thresholds or distribution alignment
may help)?

Example (the labeled-only NW-UCLA model, the unlabeled pool of the FixMatch
config of the same split)::

    python tools/analysis/pseudo_label_reliability.py \\
        configs/quickstart/fixmatch_stgcn-tiny_1500it_nwucla-xview-10shot.py \\
        work_dirs/labeled_only/iter_1500.pth

    # the EMA teacher of an SSL run
    python tools/analysis/pseudo_label_reliability.py CONFIG \\
        work_dirs/fixmatch/iter_1500.pth --network teacher --out rel.json
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, Sequence

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import mmssar  # noqa: E402,F401  (registers the modules, applies the patches)
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402

from mmssar.models.utils.recognizer_io import dataset_batches  # noqa: E402
from mmssar.registry import DATASETS, MODELS  # noqa: E402
from mmssar.utils.checkpoint import load_recognizer_weights  # noqa: E402

THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)


def reliability(probs: torch.Tensor, labels: torch.Tensor,
                thresholds: Sequence[float] = THRESHOLDS,
                class_threshold: float = 0.8) -> Dict:
    """Pseudo-label quality of class probabilities against true labels.

    Args:
        probs (Tensor): ``(N, K)`` class probabilities.
        labels (Tensor): ``(N, )`` true (hidden) labels.
        thresholds (Sequence[float]): Confidence thresholds τ of the
            ``thresholds`` rows.
        class_threshold (float): τ of the per-class kept accuracy.

    Returns:
        dict: ``accuracy`` (top-1 of all N, in [0, 1]); ``thresholds``:
        one row per τ with ``kept`` (share with max prob ≥ τ) and
        ``kept_accuracy`` (None when nothing is kept); ``classes``: per
        class ``k`` its ``count`` (true labels), ``recall``, ``predicted``
        (share of all clips predicted as ``k``) and ``kept_accuracy`` (of
        the clips predicted ``k`` with confidence ≥ ``class_threshold``).
    """
    if probs.ndim != 2 or labels.shape != probs.shape[:1]:
        raise ValueError(f'probs (N, K) and labels (N,) expected, got '
                         f'{tuple(probs.shape)} and {tuple(labels.shape)}')
    if not len(labels):
        raise ValueError('no samples')
    conf, pred = probs.max(dim=1)
    hit = pred == labels

    def share(mask):
        return float(mask.float().mean())

    def acc(mask):
        return float(hit[mask].float().mean()) if mask.any() else None

    rows = [dict(threshold=t, kept=share(conf >= t),
                 kept_accuracy=acc(conf >= t)) for t in thresholds]
    classes = []
    for k in range(probs.shape[1]):
        true_k = labels == k
        classes.append(dict(
            count=int(true_k.sum()),
            recall=acc(true_k),
            predicted=share(pred == k),
            kept_accuracy=acc((pred == k) & (conf >= class_threshold))))
    return dict(num_samples=len(labels), accuracy=share(hit),
                thresholds=rows, class_threshold=class_threshold,
                classes=classes)


def unlabeled_pool(cfg: Config):
    """The inner dataset of the config's unlabeled loader, with the
    validation pipeline (deterministic clips, no augmentation)."""
    loader = cfg.get('train_cfg', {}).get('unlabeled_dataloader')
    if loader is None:
        raise KeyError(
            'the config has no train_cfg.unlabeled_dataloader; pass the '
            'semi-supervised config of the same split with --data-config')
    inner = loader['dataset']
    if inner.get('type') == 'SemiDataset':
        inner = inner['dataset']
    return dict(inner, pipeline=cfg.val_dataloader.dataset.pipeline,
                test_mode=True)


@torch.no_grad()
def predict(model, dataset, batch_size: int, device: str):
    """``(N, K)`` probabilities (MMAction2's clip averaging) and labels."""
    probs, labels = [], []
    for _, batch in dataset_batches(model, dataset, batch_size):
        for sample in model(**batch, mode='predict'):
            probs.append(sample.pred_score.float().cpu())
            labels.append(int(sample.gt_label))
    return torch.stack(probs), torch.tensor(labels)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config of the model (a semi-'
                        'supervised config: its student is the model)')
    parser.add_argument('checkpoint')
    parser.add_argument('--network', help='network of an mmssar training '
                        'checkpoint: teacher or student')
    parser.add_argument('--data-config', help='config whose unlabeled '
                        'loader gives the pool (default: config)')
    parser.add_argument('--thresholds', nargs='+', type=float,
                        default=list(THRESHOLDS))
    parser.add_argument('--class-threshold', type=float, default=0.8)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', help='write the figures as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of both configs')
    return parser.parse_args(argv)


def main(argv=None) -> Dict:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    data_cfg = Config.fromfile(args.data_config or args.config)
    for c in (cfg, data_cfg):
        if args.cfg_options:
            c.merge_from_dict(args.cfg_options)
    model_cfg = cfg.model.get('student') or cfg.model
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(model_cfg)
        load_recognizer_weights(model, args.checkpoint, args.network)
        model.to(args.device).eval()
        dataset = DATASETS.build(unlabeled_pool(data_cfg))
        probs, labels = predict(model, dataset, args.batch_size,
                                args.device)
    if (labels < 0).any():
        raise ValueError('some unlabeled clips carry no hidden label; the '
                         'pool must keep its labels (a split of a labeled '
                         'annotation file) to be measured')
    result = reliability(probs, labels, args.thresholds,
                         args.class_threshold)
    print(f'{result["num_samples"]} unlabeled clips, top-1 of the '
          f'pseudo-labels {100 * result["accuracy"]:.1f} %')
    print(f'{"tau":>6}{"kept %":>9}{"kept acc %":>12}')
    for row in result['thresholds']:
        kept_acc = row['kept_accuracy']
        kept_acc = '-' if kept_acc is None else f'{100 * kept_acc:.1f}'
        print(f'{row["threshold"]:>6.2f}{100 * row["kept"]:>9.1f}'
              f'{kept_acc:>12}')
    print(f'{"class":>6}{"clips":>7}{"recall %":>10}{"predicted %":>13}'
          f'{"kept acc % @" + str(args.class_threshold):>18}')
    for k, row in enumerate(result['classes']):
        cells = [('-' if row[key] is None else f'{100 * row[key]:.1f}')
                 for key in ('recall', 'predicted', 'kept_accuracy')]
        print(f'{k:>6}{row["count"]:>7}{cells[0]:>10}{cells[1]:>13}'
              f'{cells[2]:>18}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == '__main__':
    main()
