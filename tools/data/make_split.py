"""Split a labeled training list into labeled / unlabeled subsets.

Examples::

    # 10 % of UCF101 split 1, class-balanced
    python tools/data/make_split.py \
        data/ucf101/ucf101_train_split_1_videos.txt \
        --ratio 0.1 --seed 0 --out data/ucf101/ucf101_10pct_seed0

    # the same as a preset
    python tools/data/make_split.py \
        data/ucf101/ucf101_train_split_1_videos.txt \
        --preset ucf101-10pct --seed 0 --out data/ucf101/ucf101_10pct_seed0

    # NTU-60 x-sub 1 %, CMD-style random subsets, one per seed
    for s in 0 1 2 3 4; do
      python tools/data/make_split.py data/skeleton/ntu60_3d.pkl \
          --preset ntu60-xsub-1pct-random --seed $s \
          --out splits/ntu60_xsub_1pct_s$s
    done

Writes ``PREFIX_labeled.<ext>``, ``PREFIX_unlabeled.<ext>`` (same format as
the input) and ``PREFIX_split.json``. See ``docs/data_preparation.md``.
"""
import argparse
import sys

from mmssar.datasets.ann_io import check_labels, read_annotations
from mmssar.datasets.splits import PRESETS, PROTOCOLS, make_split, write_split


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Draw a labeled / unlabeled split of a training list '
        '(VideoDataset / RawframeDataset text list or PoseDataset pickle).')
    parser.add_argument('ann_file', help='fully labeled training list')
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument(
        '--ratio', type=float, help='labeled fraction in (0, 1]')
    amount.add_argument(
        '--per-class', type=int, help='labeled samples per class')
    amount.add_argument(
        '--preset',
        choices=sorted(PRESETS),
        help='named setting (protocol, ratio or per-class count, number of '
        'classes and pose split); see docs/data_preparation.md')
    parser.add_argument('--seed', type=int, required=True, help='RNG seed')
    parser.add_argument(
        '--out', required=True, help='output prefix PREFIX')
    parser.add_argument(
        '--protocol',
        choices=PROTOCOLS,
        help='balanced (per class, default) or random (whole list)')
    parser.add_argument(
        '--split', help='split name to read from a PoseDataset pickle')
    parser.add_argument(
        '--num-classes',
        type=int,
        help='check that labels lie in [0, N) and every class has a sample')
    parser.add_argument(
        '--type',
        default='auto',
        choices=('auto', 'video', 'rawframe', 'pose'),
        help='annotation type (default: guessed from the file)')
    parser.add_argument(
        '--delimiter', default=' ', help='VideoDataset list delimiter')
    parser.add_argument(
        '--with-offset',
        action='store_true',
        help='RawframeDataset lines carry an offset')
    args = parser.parse_args(argv)
    if args.ratio is None and args.per_class is None and args.preset is None:
        parser.error('one of --ratio, --per-class or --preset is required')
    return args


def resolve(args) -> dict:
    """Merge a preset with the explicit arguments."""
    settings = dict(
        ratio=args.ratio,
        per_class=args.per_class,
        protocol=args.protocol or 'balanced',
        num_classes=args.num_classes,
        split=args.split)
    if args.preset is None:
        return settings
    preset = PRESETS[args.preset]
    for name in ('protocol', 'num_classes'):
        given, fixed = getattr(args, name), getattr(preset, name)
        if given is not None and fixed is not None and given != fixed:
            raise ValueError(f'--{name.replace("_", "-")} {given} conflicts '
                             f'with preset {args.preset} '
                             f'({getattr(preset, name)})')
    settings.update(
        ratio=preset.ratio,
        per_class=preset.per_class,
        protocol=preset.protocol,
        # presets of lists that may miss classes leave the count to the user
        num_classes=(args.num_classes if preset.num_classes is None else
                     preset.num_classes))
    if args.split is None and args.ann_file.lower().endswith(
            ('.pkl', '.pickle')):
        settings['split'] = preset.split
    return settings


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        settings = resolve(args)
        records = read_annotations(
            args.ann_file,
            ann_type=args.type,
            delimiter=args.delimiter,
            with_offset=args.with_offset,
            split=settings['split'])
        if settings['num_classes'] is not None:
            check_labels(records, settings['num_classes'], args.ann_file)
        result = make_split(
            records,
            ratio=settings['ratio'],
            per_class=settings['per_class'],
            seed=args.seed,
            protocol=settings['protocol'],
            num_classes=settings['num_classes'])
        paths = write_split(
            args.ann_file,
            records,
            result,
            args.out,
            split=settings['split'],
            extra_info=dict(preset=args.preset))
    except (ValueError, FileNotFoundError) as exc:
        print(f'make_split: error: {exc}', file=sys.stderr)
        return 1
    info = result.info
    if settings['num_classes'] is None:
        print(f'make_split: num_classes {info["num_classes"]} inferred from '
              'the largest label (pass --num-classes to check it)',
              file=sys.stderr)
    if info['classes_absent_from_input']:
        print(
            f'make_split: warning: {len(info["classes_absent_from_input"])} '
            'class(es) have no sample in the input: '
            f'{info["classes_absent_from_input"][:20]}',
            file=sys.stderr)
    if info['classes_without_labels']:
        print(
            f'make_split: warning: {len(info["classes_without_labels"])} '
            f'class(es) got no labeled sample: '
            f'{info["classes_without_labels"][:20]} (recorded in '
            f'{paths["json"]})',
            file=sys.stderr)
    print(f'{info["num_labeled"]} labeled -> {paths["labeled"]}\n'
          f'{info["num_unlabeled"]} unlabeled -> {paths["unlabeled"]}\n'
          f'summary -> {paths["json"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
