"""tools/data/finediving/build_lists.py on a fake FineDiving tree."""
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'data', 'finediving', 'build_lists.py')


def fake_tree(tmp_path, clips, gap=False):
    frames = tmp_path / 'frames'
    for (video, clip), (first, count) in clips.items():
        d = frames / video / str(clip)
        d.mkdir(parents=True)
        for n in range(first, first + count + (1 if gap else 0)):
            if gap and n == first + 1:
                continue
            (d / f'{n:05d}.jpg').write_bytes(b'')
    return str(frames)


def dump(tmp_path, name, obj):
    path = tmp_path / name
    path.write_bytes(pickle.dumps(obj))
    return str(path)


def run(tmp_path, frames, ann, train, test):
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, TOOL, '--frames', frames, '--annotation', ann,
         '--train-split', train, '--test-split', test, '--out', str(out)],
        capture_output=True, text=True, cwd=ROOT)
    return proc, out


def test_lists_offsets_counts_and_labels(tmp_path):
    clips = {('A', 0): (489, 104), ('A', 1): (700, 50), ('B', 3): (1, 30)}
    frames = fake_tree(tmp_path, clips)
    ann = dump(tmp_path, 'ann.pkl', {
        ('A', 0): dict(action_type='307C', dive_score=80.0),
        ('A', 1): dict(action_type='107B', dive_score=70.0),
        ('B', 3): dict(action_type='307C', dive_score=60.0)})
    proc, out = run(tmp_path, frames, ann,
                    dump(tmp_path, 'tr.pkl', [('A', 0), ('A', 1)]),
                    dump(tmp_path, 'te.pkl', [('B', 3)]))
    assert proc.returncode == 0, proc.stderr
    train = (out / 'finediving_train_rawframes.txt').read_text().split('\n')
    assert train[:2] == ['A/0 488 104 1', 'A/1 699 50 0']
    assert (out / 'finediving_val_rawframes.txt').read_text() == \
        'B/3 0 30 1\n'
    assert (out / 'finediving_label_map.txt').read_text() == '107B\n307C\n'


@pytest.mark.parametrize('problem,match', [
    ('gap', 'not contiguous'),
    ('unseen', 'without training clips'),
    ('field', 'no "action_type" field'),
])
def test_bad_input_is_named(tmp_path, problem, match):
    clips = {('A', 0): (10, 5), ('B', 1): (10, 5)}
    frames = fake_tree(tmp_path, clips, gap=problem == 'gap')
    ann = {('A', 0): dict(action_type='1'), ('B', 1): dict(action_type='1')}
    if problem == 'unseen':
        ann[('B', 1)] = dict(action_type='2')
    if problem == 'field':
        ann[('A', 0)] = dict(score=1.0)
    proc, _ = run(tmp_path, frames, dump(tmp_path, 'a.pkl', ann),
                  dump(tmp_path, 'tr.pkl', [('A', 0)]),
                  dump(tmp_path, 'te.pkl', [('B', 1)]))
    assert proc.returncode != 0 and match in proc.stderr


def test_lists_load_with_the_finediving_config(tmp_path):
    """The written offsets address the real files through the config's
    RawframeDataset and its (RawFrameDecode) test pipeline."""
    import cv2
    import numpy as np
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmssar.registry import DATASETS
    frames = tmp_path / 'frames' / 'V' / '2'
    frames.mkdir(parents=True)
    for n in range(301, 321):
        cv2.imwrite(str(frames / f'{n:05d}.jpg'),
                    np.full((24, 32, 3), n % 255, np.uint8))
    ann = dump(tmp_path, 'a.pkl', {('V', 2): dict(action_type='5253B')})
    keys = dump(tmp_path, 'k.pkl', [('V', 2)])
    proc, out = run(tmp_path, str(tmp_path / 'frames'), ann, keys, keys)
    assert proc.returncode == 0, proc.stderr
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs', 'sefar',
        'sefar_timesformer-vit-b16_8xb8-mu3-30e_finediving-5pc.py'))
    data = cfg.test_dataloader.dataset
    data.ann_file = str(out / 'finediving_val_rawframes.txt')
    data.data_prefix = dict(img=str(tmp_path / 'frames'))
    with DefaultScope.overwrite_default_scope('mmssar'):
        sample = DATASETS.build(data)[0]
    assert tuple(sample['inputs'].shape) == (15, 3, 8, 224, 224)
    assert sample['data_samples'].gt_label.item() == 0
