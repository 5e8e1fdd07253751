"""Per-video temporal similarity scores for TimeBalance's stage 3 (ours).

For each video of ``--ann-file`` (default: the config's
``similarity_dataloader`` list, the whole training list), K clips from evenly
spaced times (the ``similarity_dataloader`` pipeline, ``SampleFrames(...,
num_clips=K, test_mode=True)``) go through the recognizer of CONFIG with
``--checkpoint`` (the fine-tuned temporally-distinctive teacher); the raw
score is the mean pairwise cosine similarity of the K pooled features, mapped
to [0, 1] (``--mapping cos01``: (1 + cos) / 2; ``minmax``: over the data set).
See ``mmssar/datasets/temporal_similarity_file.py`` for the file format.

Batched and resumable: finished videos are appended to ``OUT.partial``; a
rerun skips them. An existing complete OUT is kept (``--force`` recomputes).

Example::

    python tools/data/temporal_similarity.py \\
        configs/timebalance/ucf101/timebalance_finetune_ucf101-split1.py \\
        --checkpoint work_dirs/CHAIN/finetune_dist/epoch_150.pth \\
        --out work_dirs/CHAIN/similarity/scores.json
"""
import argparse
import json
import os
import os.path as osp
import sys

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import mmssar  # noqa: E402,F401
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402

from mmssar.datasets.ann_io import read_annotations  # noqa: E402
from mmssar.datasets.temporal_similarity_file import (  # noqa: E402
    MAPPINGS, check_coverage, mean_pairwise_cosine, read_score_file,
    write_score_file)
from mmssar.models.utils.recognizer_io import (  # noqa: E402
    dataset_batches, run_recognizer)
from mmssar.registry import DATASETS, MODELS  # noqa: E402
from mmssar.utils.checkpoint import load_recognizer_weights  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='recognizer config with a '
                        'similarity_dataloader')
    parser.add_argument('--checkpoint', required=True,
                        help='teacher checkpoint (plain, exported or mmssar '
                        'training checkpoint)')
    parser.add_argument('--network', default=None,
                        help='network of an mmssar training checkpoint')
    parser.add_argument('--out', required=True, help='score file (.json)')
    parser.add_argument('--mapping', default='cos01', choices=MAPPINGS)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--force', action='store_true')
    parser.add_argument('--device',
                        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def read_partial(path):
    done = {}
    if osp.isfile(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    done[rec['name']] = float(rec['cos'])
    return done


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.get('similarity_dataloader') is None:
        raise KeyError(f'{args.config}: no similarity_dataloader (the K-clip '
                       'pipeline of the score)')
    ds_cfg = cfg.similarity_dataloader.dataset
    ann_file = ds_cfg.ann_file
    names = [r.key for r in read_annotations(ann_file)]
    if osp.isfile(args.out) and not args.force:
        check_coverage(read_score_file(args.out), names, args.out, ann_file)
        print(f'{args.out} exists and covers {ann_file}; kept (--force '
              'recomputes)')
        return 0
    partial = f'{args.out}.partial'
    done = read_partial(partial)
    scope = cfg.get('default_scope', 'mmssar')
    with DefaultScope.overwrite_default_scope(scope):
        dataset = DATASETS.build(ds_cfg)
        model = MODELS.build(cfg.model)
    if len(dataset) != len(names):
        raise ValueError(f'{ann_file}: {len(names)} lines but the dataset '
                         f'holds {len(dataset)} samples')
    load_recognizer_weights(model, args.checkpoint, args.network)
    model.to(args.device).eval()
    todo = [i for i, n in enumerate(names) if n not in done]
    print(f'{len(done)} videos done, {len(todo)} to score')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    num_clips = None
    with open(partial, 'a') as log, torch.no_grad():
        for idx, batch in dataset_batches(model, dataset, args.batch_size,
                                          todo):
            out = run_recognizer(model, dict(x=batch['inputs']))['x']
            feats = out.clip_feats.reshape(len(idx), -1,
                                           out.clip_feats.shape[-1])
            num_clips = feats.shape[1]
            for i, c in zip(idx, mean_pairwise_cosine(feats).tolist()):
                done[names[i]] = c
                log.write(json.dumps(dict(name=names[i], cos=c)) + '\n')
            log.flush()
    raw = {n: done[n] for n in names}
    write_score_file(
        args.out, raw, args.mapping, ann_file=ann_file,
        checkpoint=args.checkpoint,
        definition=dict(
            features='pooled pre-classifier features of the checkpoint',
            similarity='mean pairwise cosine over the clips of a video',
            num_clips=num_clips))
    os.remove(partial)
    scores = read_score_file(args.out)
    vals = sorted(scores.values())
    print(f'wrote {args.out}: {len(vals)} videos, score min/median/max '
          f'{vals[0]:.3f}/{vals[len(vals) // 2]:.3f}/{vals[-1]:.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
