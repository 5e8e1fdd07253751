"""FineDiving annotations -> RawframeDataset lists for action-type
classification (SeFAR's FineDiving setting).

FineDiving (Xu et al., CVPR 2022) ships trimmed JPEG frames
``ROOT/<video>/<clip>/<frame:05d>.jpg`` (frame numbers of the untrimmed
video, so a clip's first file is not 00001.jpg), a fine-grained annotation
pickle keyed by ``(video, clip)`` whose ``action_type`` (a dive number such
as ``'107B'``) is the class, and ``train_split.pkl`` / ``test_split.pkl``
lists of keys. This writes, for ``mmaction``'s ``RawframeDataset`` with
``with_offset=True`` and ``filename_tmpl='{:05d}.jpg'``::

    OUT/finediving_train_rawframes.txt   <video>/<clip> <offset> <frames> <label>
    OUT/finediving_val_rawframes.txt     (the test split: FineDiving has no
                                          validation split)
    OUT/finediving_label_map.txt         one action type per line

``offset`` = first frame number - 1 (``start_index`` 1). Labels index the
sorted action types of the training split; test clips of an action type
absent from training are refused (listed in the error).

Example::

    python tools/data/finediving/build_lists.py \
        --frames data/finediving/FINADiving_MTL_256s \
        --annotation data/finediving/Annotations/FineDiving_fine-grained_annotation.pkl \
        --train-split data/finediving/Annotations/train_split.pkl \
        --test-split data/finediving/Annotations/test_split.pkl \
        --out data/finediving

then draw labeled subsets with ``tools/data/make_split.py
data/finediving/finediving_train_rawframes.txt --ratio 0.05 --with-offset
...`` (configs/sefar/README.md).
"""
import argparse
import os
import os.path as osp
import pickle
import re
import sys

FRAME = re.compile(r'^(\d+)\.jpg$')


def action_type(value, key):
    """The class of one annotation entry: a dict with ``action_type`` (the
    documented layout) or a sequence whose first item is it."""
    if isinstance(value, dict):
        if 'action_type' not in value:
            raise KeyError(f'annotation of {key} has no "action_type" field '
                           f'(fields: {sorted(value)})')
        return str(value['action_type'])
    if isinstance(value, (list, tuple)) and value:
        return str(value[0])
    raise TypeError(f'annotation of {key} is a {type(value).__name__}; '
                    'expected a dict with "action_type"')


def clip_frames(frames_root, key):
    """``(offset, count)`` of the JPEG frames of one clip (contiguous)."""
    clip_dir = osp.join(frames_root, str(key[0]), str(key[1]))
    if not osp.isdir(clip_dir):
        raise FileNotFoundError(f'no frame folder {clip_dir} for {key}')
    nums = sorted(int(m.group(1)) for m in map(FRAME.match,
                                                os.listdir(clip_dir)) if m)
    if not nums:
        raise FileNotFoundError(f'no <number>.jpg frames in {clip_dir}')
    if nums[-1] - nums[0] + 1 != len(nums):
        raise ValueError(f'frames of {clip_dir} are not contiguous '
                         f'({nums[0]}..{nums[-1]}, {len(nums)} files)')
    return nums[0] - 1, len(nums)


def load(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def build(frames_root, annotation, train_keys, test_keys):
    """Returns ``(classes, {'train': lines, 'val': lines})``."""
    def key_of(k):
        k = tuple(k)
        if k not in annotation:
            raise KeyError(f'split key {k} is not in the annotation file')
        return k

    train_keys = [key_of(k) for k in train_keys]
    test_keys = [key_of(k) for k in test_keys]
    classes = sorted({action_type(annotation[k], k) for k in train_keys})
    index = {c: i for i, c in enumerate(classes)}
    unseen = sorted({action_type(annotation[k], k) for k in test_keys} -
                    set(index))
    if unseen:
        raise ValueError(f'test action types without training clips: '
                         f'{unseen}')
    lists = {}
    for name, keys in (('train', train_keys), ('val', test_keys)):
        lines = []
        for k in keys:
            offset, count = clip_frames(frames_root, k)
            label = index[action_type(annotation[k], k)]
            lines.append(f'{k[0]}/{k[1]} {offset} {count} {label}')
        lists[name] = lines
    return classes, lists


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0])
    parser.add_argument('--frames', required=True,
                        help='root of <video>/<clip>/<frame>.jpg')
    parser.add_argument('--annotation', required=True,
                        help='FineDiving_fine-grained_annotation.pkl')
    parser.add_argument('--train-split', required=True)
    parser.add_argument('--test-split', required=True)
    parser.add_argument('--out', required=True, help='output folder')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    classes, lists = build(args.frames, load(args.annotation),
                           load(args.train_split), load(args.test_split))
    os.makedirs(args.out, exist_ok=True)
    for name, lines in lists.items():
        path = osp.join(args.out, f'finediving_{name}_rawframes.txt')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        print(f'{path}: {len(lines)} clips')
    with open(osp.join(args.out, 'finediving_label_map.txt'), 'w') as f:
        f.write('\n'.join(classes) + '\n')
    print(f'{len(classes)} action types')
    return 0


if __name__ == '__main__':
    sys.exit(main())
