"""kNN / 1-NN retrieval on frozen features (SCD-Net's retrieval protocol).

Builds the recognizer of a downstream config (e.g. a SCD-Net linear config)
with the backbone weights of ``--checkpoint`` (e.g. the pre-training
checkpoint; the SCD-Net stage chains pass it), extracts frozen backbone features of a feature bank (default: the config's
``bank_dataloader``, the whole training split with the test pipeline) and of
the queries (default: ``test_dataloader``), then classifies each query by
its k nearest bank features (cosine similarity on L2-normalised features).

Examples::

    python tools/misc/knn_eval.py configs/scdnet/cpu/scdnet-cpu_linear_10shot_nwucla-xview.py \\
        --checkpoint work_dirs/scdnet-cpu_chain_nwucla-xview/pretrain/iter_400.pth
    python tools/misc/knn_eval.py CONFIG --checkpoint work_dirs/pretrain/iter_400.pth \\
        --prefix backbone. --k 1 5 --save-features feats.npz

The last line holds the accuracies as ``key=value`` pairs.
"""
import argparse
import os.path as osp
import sys

import numpy as np
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import mmssar  # noqa: E402,F401
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmengine.runner.checkpoint import _load_checkpoint  # noqa: E402

from mmssar.evaluation.knn import extract_features, knn_accuracy  # noqa
from mmssar.registry import MODELS  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='downstream config file')
    parser.add_argument(
        '--checkpoint',
        help='checkpoint whose `--prefix` keys are loaded into the backbone '
        '(default: the config backbone init_cfg, e.g. Pretrained)')
    parser.add_argument(
        '--prefix',
        default='backbone.',
        help='key prefix of the backbone in --checkpoint (default: '
        '"backbone.", which matches both SCDNetPretrainer and recognizer '
        'checkpoints; "" loads the whole state dict)')
    parser.add_argument('--k', type=int, nargs='+', default=[1])
    parser.add_argument('--metric',
                        default='cosine',
                        choices=['cosine', 'euclidean'])
    parser.add_argument('--bank',
                        default='bank_dataloader',
                        help='config key of the feature-bank dataloader')
    parser.add_argument('--query',
                        default='test_dataloader',
                        help='config key of the query dataloader')
    parser.add_argument('--save-features', help='write features to an .npz')
    parser.add_argument('--device',
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def build_model(cfg, checkpoint=None, prefix='backbone.', device='cpu'):
    """The config's model with frozen, initialised weights."""
    backbone_cfg = cfg.model.get('backbone') or {}
    if checkpoint is not None and backbone_cfg.get('init_cfg'):
        # --checkpoint replaces the backbone's configured initialisation
        backbone_cfg['init_cfg'] = None
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmssar')):
        model = MODELS.build(cfg.model)
    model.init_weights()  # runs a Pretrained init_cfg, if any
    if checkpoint is not None:
        state = _load_checkpoint(checkpoint, map_location='cpu')
        state = state.get('state_dict', state)
        state = {
            k[len(prefix):]: v
            for k, v in state.items() if k.startswith(prefix)
        }
        if not state:
            raise KeyError(f'{checkpoint}: no key starts with {prefix!r}')
        target = model.backbone if prefix else model
        missing, _ = target.load_state_dict(state, strict=False)
        if missing:
            raise KeyError(f'{checkpoint}: keys {missing[:5]} (of '
                           f'{len(missing)}) of the model are missing under '
                           f'prefix {prefix!r}')
    return model.to(device).eval()


def build_loader(cfg, key):
    if cfg.get(key) is None:
        raise KeyError(f'config {cfg.filename}: no dataloader {key!r}; pass '
                       f'--bank/--query with a key that holds one')
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmssar')):
        return Runner.build_dataloader(cfg[key])


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = build_model(cfg, args.checkpoint, args.prefix, args.device)
    bank_feats, bank_labels = extract_features(model,
                                               build_loader(cfg, args.bank))
    query_feats, query_labels = extract_features(model,
                                                 build_loader(cfg, args.query))
    if args.save_features:
        np.savez(args.save_features,
                 bank_feats=bank_feats.numpy(),
                 bank_labels=bank_labels.numpy(),
                 query_feats=query_feats.numpy(),
                 query_labels=query_labels.numpy())
    results = {}
    for k in args.k:
        results[f'knn{k}_top1'] = knn_accuracy(bank_feats, bank_labels,
                                               query_feats, query_labels, k,
                                               args.metric)
        print(f'{k}-NN ({args.metric}) top-1: {results[f"knn{k}_top1"]:.2f} '
              f'% ({len(bank_labels)} bank / {len(query_labels)} queries, '
              f'{bank_feats.shape[1]}-d features)')
    print(' '.join(f'{k}={v:.2f}' for k, v in results.items()))
    return results


if __name__ == '__main__':
    main()
