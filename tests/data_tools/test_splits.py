"""Label-split drawing (``mmssar.datasets.splits``) and its CLI."""
import json
import math
import os.path as osp
import pickle
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from mmssar.datasets.ann_io import AnnRecord, read_annotations
from mmssar.datasets.splits import (PRESETS, PROTOCOLS, SplitError,
                                    file_digest, make_split, write_split)


def load_cli(project_root):
    """Import tools/data/make_split.py as a module (tools is no package)."""
    import importlib.util
    path = osp.join(project_root, 'tools', 'data', 'make_split.py')
    spec = importlib.util.spec_from_file_location('make_split_cli', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic_lines(sizes, seed=0):
    """``class_c/clip_i.mp4 c`` lines for classes of the given sizes, in a
    shuffled order."""
    lines = [f'class_{c}/clip_{i:03d}.mp4 {c}'
             for c, n in enumerate(sizes) for i in range(n)]
    order = np.random.default_rng(seed).permutation(len(lines))
    return [lines[i] for i in order]


def records_of(lines, source='mem.txt'):
    return [
        AnnRecord(line.split()[0], int(line.split()[1]), i + 1, line, source,
                  'video') for i, line in enumerate(lines)
    ]


def write_list(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return str(path)


SIZES = [7, 12, 3, 25, 1, 10]


# ------------------------------------------------------------ the draw --
@pytest.mark.parametrize('ratio', [0.05, 0.1, 0.34, 0.5, 0.9])
def test_balanced_ratio_counts_and_partition(ratio):
    records = records_of(synthetic_lines(SIZES))
    result = make_split(records, ratio=ratio, seed=3)
    got = Counter(records[i].label for i in result.labeled)
    for c, n in enumerate(SIZES):
        # Python's round (half to even), at least one per class.
        assert got[c] == min(n, max(1, round(ratio * n)))
        assert got[c] >= 1
    assert sorted(result.labeled + result.unlabeled) == list(
        range(len(records)))
    assert not set(result.labeled) & set(result.unlabeled)
    # Input order is kept.
    assert result.labeled == sorted(result.labeled)
    assert result.unlabeled == sorted(result.unlabeled)
    counts = {d['label']: d for d in result.info['class_counts']}
    assert counts[3] == dict(
        label=3, total=25, labeled=got[3], unlabeled=25 - got[3])
    assert result.info['num_labeled'] == len(result.labeled)


def test_rounding_half_to_even():
    # 0.5 * 5 = 2.5 rounds to 2, 0.5 * 7 = 3.5 to 4, 0.5 * 1 = 0.5 to 0 -> 1.
    records = records_of(synthetic_lines([5, 7, 1, 2]))
    result = make_split(records, ratio=0.5, seed=0)
    got = Counter(records[i].label for i in result.labeled)
    assert [got[c] for c in range(4)] == [2, 4, 1, 1]


def test_per_class():
    records = records_of(synthetic_lines(SIZES))
    with pytest.raises(SplitError) as err:
        make_split(records, per_class=2, seed=0)
    assert 'class 4' in str(err.value) and 'only 1' in str(err.value)
    records = records_of(synthetic_lines([4, 6, 3]))
    result = make_split(records, per_class=3, seed=0)
    got = Counter(records[i].label for i in result.labeled)
    assert dict(got) == {0: 3, 1: 3, 2: 3}
    assert result.info['per_class_k'] == 3 and result.info['ratio'] is None


def test_deterministic_and_independent_of_input_order():
    lines = synthetic_lines(SIZES, seed=0)
    shuffled = synthetic_lines(SIZES, seed=1)
    assert lines != shuffled
    a, b = records_of(lines), records_of(shuffled)
    for protocol in PROTOCOLS:
        ra = make_split(a, ratio=0.3, seed=11, protocol=protocol)
        rb = make_split(b, ratio=0.3, seed=11, protocol=protocol)
        again = make_split(a, ratio=0.3, seed=11, protocol=protocol)
        assert ra.labeled == again.labeled
        assert ({a[i].key for i in ra.labeled} == {b[i].key
                                                    for i in rb.labeled})
        other = make_split(a, ratio=0.3, seed=12, protocol=protocol)
        assert other.labeled != ra.labeled


def test_random_protocol_counts_and_reports_empty_classes():
    records = records_of(synthetic_lines([1] * 40 + [200]))
    result = make_split(records, ratio=0.05, seed=0, protocol='random')
    assert len(result.labeled) == math.floor(0.05 * 240)
    got = Counter(records[i].label for i in result.labeled)
    empty = sorted(set(range(41)) - set(got))
    assert empty and result.info['classes_without_labels'] == empty
    assert result.info['protocol'] == 'random'


@pytest.mark.parametrize('kwargs,message', [
    (dict(ratio=0.0), r'ratio must lie in \(0, 1\]'),
    (dict(ratio=1.5), r'ratio must lie in \(0, 1\]'),
    (dict(per_class=0), 'per_class must be >= 1'),
    (dict(ratio=0.1, per_class=2), 'exactly one'),
    (dict(per_class=1, protocol='random'), 'needs the balanced'),
    (dict(ratio=0.1, protocol='weird'), 'unknown protocol'),
    (dict(ratio=1.0), 'unlabeled set would be empty'),
    (dict(ratio=0.5, num_classes=8), r'class\(es\) \[6, 7\] have no sample'),
    (dict(ratio=0.5, num_classes=5), 'label 5 is out of range'),
])
def test_refusals(kwargs, message):
    records = records_of(synthetic_lines(SIZES))
    with pytest.raises(SplitError, match=message):
        make_split(records, seed=0, **kwargs)


def test_refuses_empty_unlabeled_input_and_duplicates():
    with pytest.raises(SplitError, match='empty'):
        make_split([], ratio=0.1)
    records = records_of(['a.mp4 0', 'c.mp4 1'])
    records.append(AnnRecord('b.mp4', -1, 3, 'b.mp4', 'mem.txt', 'video'))
    with pytest.raises(SplitError, match="mem.txt:3: 'b.mp4' has no label"):
        make_split(records, ratio=0.5)
    records = records_of(['a.mp4 0', 'b.mp4 1', 'a.mp4 0'])
    with pytest.raises(SplitError, match=r"mem.txt:3: 'a.mp4' is listed "
                       r'twice \(also at mem.txt:1\)'):
        make_split(records, ratio=0.5)


# ----------------------------------------------------------- the files --
def test_write_text_split_verbatim_and_json(tmp_path):
    # Trailing blanks must survive: lines are copied, not re-formatted.
    lines = [line + '  ' if i % 5 == 0 else line
             for i, line in enumerate(synthetic_lines(SIZES))]
    ann = write_list(tmp_path / 'train.txt', lines)
    records = read_annotations(ann)
    result = make_split(records, ratio=0.2, seed=5)
    paths = write_split(ann, records, result, str(tmp_path / 'out' / 'r20'))
    assert paths['labeled'] == str(tmp_path / 'out' / 'r20_labeled.txt')
    lab = open(paths['labeled']).read().splitlines()
    unl = open(paths['unlabeled']).read().splitlines()
    # Verbatim, input order, partition of the input.
    assert lab == [lines[i] for i in result.labeled]
    assert unl == [lines[i] for i in result.unlabeled]
    assert sorted(lab + unl) == sorted(lines)
    info = json.load(open(paths['json']))
    assert info['input'] == dict(
        file='train.txt',
        sha256=file_digest(ann),
        size_bytes=osp.getsize(ann),
        ann_type='video',
        split=None)
    assert info['protocol'] == 'balanced' and info['seed'] == 5
    assert info['ratio'] == 0.2 and info['num_samples'] == len(lines)
    assert info['num_labeled'] + info['num_unlabeled'] == len(lines)
    assert [c['labeled'] for c in info['class_counts']] == [
        max(1, round(0.2 * n)) for n in SIZES
    ]
    assert info['outputs'] == dict(
        labeled='r20_labeled.txt', unlabeled='r20_unlabeled.txt')
    # Same request, same bytes: the summary is time independent.
    first = open(paths['json'], 'rb').read()
    write_split(ann, records, make_split(records, ratio=0.2, seed=5),
                str(tmp_path / 'out' / 'r20'))
    assert open(paths['json'], 'rb').read() == first


def test_write_pose_split_loads_in_posedataset(tmp_path):
    from mmaction.datasets import PoseDataset

    annos = [
        dict(
            frame_dir=f's{i:02d}',
            label=i % 3,
            total_frames=5,
            keypoint=np.full((1, 5, 4, 3), i, np.float32)) for i in range(18)
    ]
    data = dict(
        split=dict(
            xsub_train=[a['frame_dir'] for a in annos[:15]],
            xsub_val=[a['frame_dir'] for a in annos[15:]]),
        annotations=annos,
        label_names=['a', 'b', 'c'])
    ann = str(tmp_path / 'pose.pkl')
    with open(ann, 'wb') as f:
        pickle.dump(data, f)
    records = read_annotations(ann, split='xsub_train')
    result = make_split(records, ratio=0.4, seed=0)
    paths = write_split(ann, records, result, str(tmp_path / 'p40'),
                        split='xsub_train')
    assert paths['labeled'].endswith('p40_labeled.pkl')
    out = pickle.load(open(paths['labeled'], 'rb'))
    keys = [records[i].key for i in result.labeled]
    assert out['split'] == dict(labeled=keys, xsub_train=keys)
    assert out['label_names'] == ['a', 'b', 'c']
    assert [a['frame_dir'] for a in out['annotations']] == keys
    np.testing.assert_array_equal(out['annotations'][0]['keypoint'],
                                  annos[int(keys[0][1:])]['keypoint'])
    for split in ('labeled', 'xsub_train'):
        dataset = PoseDataset(
            paths['labeled'], pipeline=[], split=split, test_mode=True)
        assert len(dataset) == len(keys)
    unl = PoseDataset(
        paths['unlabeled'], pipeline=[], split='unlabeled', test_mode=True)
    assert len(unl) == 15 - len(keys)
    # The validation samples are not part of either subset.
    assert not {'s15', 's16', 's17'} & {
        a['frame_dir']
        for p in (paths['labeled'], paths['unlabeled'])
        for a in pickle.load(open(p, 'rb'))['annotations']
    }


def test_refuses_to_overwrite_input(tmp_path):
    ann = write_list(tmp_path / 'x_labeled.txt', synthetic_lines([3, 3]))
    records = read_annotations(ann)
    with pytest.raises(SplitError, match='overwrite the input'):
        write_split(ann, records, make_split(records, ratio=0.4),
                    str(tmp_path / 'x'))


# ------------------------------------------------------------- presets --
def test_presets_are_consistent_and_documented(project_root):
    doc = open(osp.join(project_root, 'docs', 'data_preparation.md')).read()
    assert len(PRESETS) == 5 + 3 + 2 + 8 + 6
    for name, preset in PRESETS.items():
        assert preset.protocol in PROTOCOLS
        assert (preset.ratio is None) != (preset.per_class is None)
        assert f'`{name}`' in doc, f'preset {name} is not documented'
    assert PRESETS['kinetics400-1pct'].per_class == 6
    assert PRESETS['ntu60-xview-10pct-random'].split == 'xview_train'
    assert PRESETS['gym99-5pct'].num_classes == 99
    assert PRESETS['gym288-10pct'].num_classes is None


def test_preset_without_class_count_takes_the_users(tmp_path, project_root):
    cli = load_cli(project_root)
    ann = write_list(tmp_path / 'train.txt', synthetic_lines(SIZES))
    args = cli.parse_args([ann, '--preset', 'gym288-10pct', '--seed', '0',
                           '--out', str(tmp_path / 'g'), '--num-classes',
                           '6'])
    assert cli.resolve(args)['num_classes'] == 6
    args = cli.parse_args([ann, '--preset', 'gym99-10pct', '--seed', '0',
                           '--out', str(tmp_path / 'g'), '--num-classes',
                           '6'])
    with pytest.raises(ValueError, match='conflicts with preset'):
        cli.resolve(args)
    # counted from the list when nobody gives it
    assert cli.main([ann, '--preset', 'finediving-10pct', '--seed', '0',
                     '--out', str(tmp_path / 'f')]) == 0


# ----------------------------------------------------------------- CLI --
def test_cli_in_process(tmp_path, project_root, capsys):
    cli = load_cli(project_root)
    ann = write_list(tmp_path / 'train.txt', synthetic_lines(SIZES))
    assert cli.main([ann, '--per-class', '1', '--seed', '0', '--out',
                     str(tmp_path / 'k1'), '--num-classes', '6']) == 0
    assert len(open(tmp_path / 'k1_labeled.txt').read().splitlines()) == 6
    assert cli.main([ann, '--per-class', '2', '--seed', '0', '--out',
                     str(tmp_path / 'k2')]) == 1
    err = capsys.readouterr().err
    assert 'per_class=2 is larger than class 4' in err
    assert not osp.exists(tmp_path / 'k2_labeled.txt')
    # A preset whose class count does not match the list is refused.
    assert cli.main([ann, '--preset', 'ucf101-10pct', '--seed', '0', '--out',
                     str(tmp_path / 'p')]) == 1
    assert 'class(es) [6, 7, 8' in capsys.readouterr().err
    # The random protocol warns about classes without labels.
    ann = write_list(tmp_path / 'many.txt', synthetic_lines([1] * 30 + [70]))
    assert cli.main([ann, '--ratio', '0.1', '--protocol', 'random', '--seed',
                     '1', '--out', str(tmp_path / 'r')]) == 0
    err = capsys.readouterr().err
    info = json.load(open(tmp_path / 'r_split.json'))
    assert info['classes_without_labels']
    assert 'warning' in err and str(len(
        info['classes_without_labels'])) in err


def test_cli_subprocess_refusal(tmp_path, project_root):
    ann = write_list(tmp_path / 'train.txt', synthetic_lines(SIZES))
    env = dict(__import__('os').environ, PYTHONPATH=project_root)
    script = osp.join(project_root, 'tools', 'data', 'make_split.py')
    bad = subprocess.run([
        sys.executable, script, ann, '--ratio', '1.5', '--seed', '2',
        '--out', str(tmp_path / 'bad')
    ], capture_output=True, text=True, env=env, cwd=project_root)
    assert bad.returncode == 1
    assert 'make_split: error: ratio must lie in (0, 1], got 1.5' in (
        bad.stderr)
    assert 'Traceback' not in bad.stderr
    assert not osp.exists(tmp_path / 'bad_split.json')


# ----------------------------------------------------------- real data --
def test_ucf101_presets_on_the_real_split(shared_data, tmp_path,
                                          project_root):
    """UCF101 split 1 (1-based official list shifted to 0-based)."""
    src = osp.join(shared_data, 'splits', 'ucf101', 'trainlist01.txt')
    lines = [f'{p} {int(c) - 1}' for p, c in
             (line.split() for line in open(src) if line.strip())]
    ann = write_list(tmp_path / 'ucf101_train_split_1_videos.txt', lines)
    cli = load_cli(project_root)
    sizes = Counter(int(line.split()[1]) for line in lines)
    for pct in (1, 10):
        prefix = str(tmp_path / f'ucf_{pct}')
        assert cli.main([ann, '--preset', f'ucf101-{pct}pct', '--seed', '0',
                         '--out', prefix]) == 0
        info = json.load(open(prefix + '_split.json'))
        assert info['num_classes'] == 101 and info['preset'] == (
            f'ucf101-{pct}pct')
        for c in info['class_counts']:
            assert c['total'] == sizes[c['label']]
            assert c['labeled'] == max(1, round(pct / 100 * c['total']))
        lab = read_annotations(prefix + '_labeled.txt')
        assert len({r.label for r in lab}) == 101
        assert info['num_labeled'] + info['num_unlabeled'] == 9537


def test_num_classes_inferred_from_the_largest_label(tmp_path, project_root,
                                                     capsys):
    """Labels 0-9 with class 4 absent: 10 classes, not the 9 labels seen."""
    sizes = [4, 4, 4, 4, 0, 4, 4, 4, 4, 4]
    result = make_split(records_of(synthetic_lines(sizes)), ratio=0.5,
                        seed=0)
    assert result.info['num_classes'] == 10
    assert result.info['classes_absent_from_input'] == [4]
    assert [c['total'] for c in result.info['class_counts']] == sizes
    cli = load_cli(project_root)
    ann = write_list(tmp_path / 'train.txt', synthetic_lines(sizes))
    assert cli.main([ann, '--ratio', '0.5', '--seed', '0', '--out',
                     str(tmp_path / 's')]) == 0
    info = json.load(open(tmp_path / 's_split.json'))
    assert info['num_classes'] == 10
    err = capsys.readouterr().err
    assert 'num_classes 10 inferred from the largest label' in err
    assert 'no sample in the input: [4]' in err
