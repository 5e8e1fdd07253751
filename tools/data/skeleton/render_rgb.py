"""Render a real skeleton data set into small RGB clips (real motion).

Examples::

    # NW-UCLA cross-view (train views 1, 2 / val view 3)
    python tools/data/skeleton/render_rgb.py nwucla \\
        ../shared/data/skeleton/nw_ucla --out data/rendered/nwucla_xview

    # JHMDB ground-truth 2-D joints, official split 1
    python tools/data/skeleton/render_rgb.py jhmdb \\
        ../shared/data/skeleton/jhmdb_gt_pose --split 1 \\
        --out data/rendered/jhmdb_split1

Writes ``videos/{train,val}/*.mp4``, ``train.txt``, ``val.txt``,
``classes.txt``, ``sources.json``, ``meta.json`` and the labeled / unlabeled
splits ``splits/train_{K}shot_seed{S}_*`` under ``--out``; see
``tools/data/skeleton/README.md``.
"""
import argparse
import json
import sys
import time

from mmssar.datasets.skeleton_render import (PALETTES, SOURCES, VIEWS,
                                             Nuisance,
                                             render_skeleton_dataset)

_D = Nuisance()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Render real skeleton sequences into RGB clips with '
        'controlled appearance nuisance, with VideoDataset train/val lists '
        'of the skeleton split and labeled/unlabeled splits.')
    parser.add_argument('source', choices=sorted(SOURCES),
                        help='skeleton data set')
    parser.add_argument('src', help='its folder (NW-UCLA .json files or '
                        'JHMDB GT_*.pkl files)')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--split', type=int, default=1, choices=[1, 2, 3],
                        help='JHMDB official split (default 1)')
    parser.add_argument('--size', type=int, default=64,
                        help='frame height and width in pixels (default 64)')
    parser.add_argument(
        '--frames', type=int, nargs=2, default=(16, 32),
        metavar=('MIN', 'MAX'),
        help='frames per clip: the source length clipped to [MIN, MAX], the '
        'whole sequence resampled to it (default 16 32)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the appearance (default 0)')
    nuis = parser.add_argument_group(
        'appearance nuisance (drawn per clip; pixel sizes are for a '
        '64-pixel frame and scale with --size)')
    nuis.add_argument(
        '--bg-colour', type=float, nargs=2, default=_D.bg_colour,
        metavar=('MIN', 'MAX'),
        help='range of the background base colour per channel '
        f'(default {_D.bg_colour[0]:g} {_D.bg_colour[1]:g})')
    nuis.add_argument(
        '--bg-texture', type=float, default=_D.bg_texture,
        help='std of the background colour blobs and grain, 0 = flat '
        f'(default {_D.bg_texture:g})')
    nuis.add_argument(
        '--min-contrast', type=float, default=_D.min_contrast,
        help='least mean channel difference figure vs background '
        f'(default {_D.min_contrast:g})')
    nuis.add_argument(
        '--thickness', type=float, nargs=2, default=_D.thickness,
        metavar=('MIN', 'MAX'),
        help='range of the limb thickness in pixels '
        f'(default {_D.thickness[0]:g} {_D.thickness[1]:g})')
    nuis.add_argument(
        '--scale', type=float, nargs=2, default=_D.scale,
        metavar=('MIN', 'MAX'),
        help='range of the frame fraction spanned by the motion envelope '
        f'(default {_D.scale[0]:g} {_D.scale[1]:g})')
    nuis.add_argument(
        '--drift', type=float, default=_D.drift,
        help='largest straight drift of the figure over a clip, fraction of '
        f'the frame (default {_D.drift:g})')
    nuis.add_argument(
        '--jitter', type=float, default=_D.jitter,
        help=f'std of the per-frame camera shake in pixels (default '
        f'{_D.jitter:g})')
    nuis.add_argument(
        '--noise', type=float, default=_D.noise,
        help=f'std of the per-frame pixel noise (default {_D.noise:g})')
    parser.add_argument(
        '--shots', type=int, nargs='+', default=[10],
        help='labels per class of the labeled/unlabeled splits (default 10)')
    parser.add_argument(
        '--split-seeds', type=int, nargs='+', default=[0, 1, 2],
        help='seeds of those splits (default 0 1 2)')
    parser.add_argument(
        '--limit', type=int, default=None,
        help='keep the first N clips of each class per phase (smoke tests)')
    parser.add_argument(
        '--view', choices=VIEWS, default=None,
        help='front: 3-D joints seen from the front of the body (one body '
        'frame per sequence, orthographic; the NW-UCLA default); camera: '
        'the source\'s own coordinates (the JHMDB default, the only choice '
        'for 2-D joints)')
    parser.add_argument(
        '--palette', choices=PALETTES, default='parts',
        help='parts: every bone its own hue (evenly spaced from a random '
        'offset per clip), so a limb in front of the body stays visible; '
        'single: one colour for the figure (default parts)')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes; output does not depend on '
                        'it (default 1)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    nuisance = Nuisance(
        bg_colour=tuple(args.bg_colour),
        bg_texture=args.bg_texture,
        min_contrast=args.min_contrast,
        thickness=tuple(args.thickness),
        scale=tuple(args.scale),
        drift=args.drift,
        jitter=args.jitter,
        noise=args.noise)
    start = time.time()
    try:
        info = render_skeleton_dataset(
            args.source, args.src, args.out, split=args.split,
            size=args.size, frames=args.frames, seed=args.seed,
            nuisance=nuisance, shots=args.shots,
            split_seeds=args.split_seeds, limit=args.limit,
            workers=args.workers, view=args.view, palette=args.palette)
    except (ValueError, FileNotFoundError, FileExistsError) as err:
        print(f'render_rgb: error: {err}', file=sys.stderr)
        return 1
    print(f'rendered {info["num_train"]} train and {info["num_val"]} val '
          f'clips of {len(info["classes"])} classes to {args.out} in '
          f'{time.time() - start:.1f} s')
    print(json.dumps({k: info[k] for k in ('train_list', 'val_list')}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
