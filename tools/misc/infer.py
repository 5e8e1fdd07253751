"""Classify a video with an exported recognizer; print the top-5 classes.

Uses MMAction2's ``init_recognizer`` / ``inference_recognizer``. CONFIG may
be the semi-supervised training config of the run (its student
architecture is used) or a plain recognizer config; CKPT is a checkpoint
written by tools/misc/export_checkpoint.py (or any plain recognizer
checkpoint).

Example::

    python tools/misc/export_checkpoint.py work_dirs/demo/fixmatch/iter_1500.pth teacher.pth
    python tools/misc/infer.py data/synthetic_motion/videos/val/00001.mp4 \\
        configs/quickstart/fixmatch_tiny-slowonly_1500it_synthetic-20shot.py \\
        teacher.pth --label-map data/synthetic_motion/classes.txt
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmssar.utils.compat import apply_all  # noqa: E402

apply_all()

import mmssar  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402

from mmssar.utils.inference import (default_label_map,  # noqa: E402
                                    init_exported_recognizer, read_label_map,
                                    topk_classes)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('video', help='video file')
    parser.add_argument('config', help='training or recognizer config')
    parser.add_argument('checkpoint', help='exported recognizer checkpoint')
    parser.add_argument(
        '--label-map',
        help='class names, one per line (default: classes.txt in the '
        "config's data_root if present, else class indices)")
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--topk', type=int, default=5)
    return parser.parse_args(argv)


def main(argv=None):
    from mmaction.apis import inference_recognizer
    args = parse_args(argv)
    for path, what in ((args.video, 'video'), (args.config, 'config'),
                       (args.checkpoint, 'checkpoint')):
        if not osp.isfile(path):
            print(f'error: {what} not found: {path}', file=sys.stderr)
            return 2
    cfg = Config.fromfile(args.config)
    label_map = args.label_map or default_label_map(cfg)
    names = read_label_map(label_map) if label_map else None
    model = init_exported_recognizer(cfg, args.checkpoint, args.device)
    result = inference_recognizer(model, args.video)
    scores = result.pred_score.cpu()
    if names is not None and len(names) != scores.numel():
        print(f'error: {label_map} has {len(names)} names, the model '
              f'{scores.numel()} classes', file=sys.stderr)
        return 2
    print(f'top-{min(args.topk, scores.numel())} for {args.video}:')
    for rank, (index, name, score) in enumerate(
            topk_classes(scores, args.topk, names), 1):
        print(f'{rank}. {name} ({index}): {score:.4f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
