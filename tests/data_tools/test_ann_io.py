"""Annotation readers and validators of ``mmssar.datasets.ann_io``."""
import os
import os.path as osp
import pickle

import numpy as np
import pytest

from mmssar.datasets.ann_io import (MAX_LISTED, AnnRecord, check_disjoint,
                                    check_files_exist, check_labels,
                                    guess_ann_type, read_annotations)


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return str(path)


def pose_anno(name, label, frames=4):
    return dict(
        frame_dir=name,
        label=label,
        total_frames=frames,
        keypoint=np.zeros((1, frames, 3, 2), np.float32))


def dump(path, obj):
    with open(path, 'wb') as f:
        pickle.dump(obj, f)
    return str(path)


# ----------------------------------------------------------------- text --
def test_video_list_labels_unlabeled_and_line_numbers(tmp_path):
    path = write(tmp_path / 'train.txt',
                 'a/x.mp4 3\n\nb/y.mp4 0\nc/z.mp4\n   \n')
    records = read_annotations(path)
    assert [r.key for r in records] == ['a/x.mp4', 'b/y.mp4', 'c/z.mp4']
    assert [r.label for r in records] == [3, 0, -1]
    # Blank lines are skipped but still counted.
    assert [r.line for r in records] == [1, 3, 4]
    assert records[1].raw == 'b/y.mp4 0'
    assert records[1].where == f'{path}:3'
    assert all(r.kind == 'video' for r in records)


def test_video_list_custom_delimiter(tmp_path):
    path = write(tmp_path / 'sefar.txt', 'dir a/x.mp4,5\ndir b/y.mp4,7\n')
    records = read_annotations(path, ann_type='video', delimiter=',')
    assert [(r.key, r.label) for r in records] == [('dir a/x.mp4', 5),
                                                    ('dir b/y.mp4', 7)]


def test_video_list_multi_class(tmp_path):
    path = write(tmp_path / 'ml.txt', 'a.mp4 1 4 7\n')
    records = read_annotations(path, ann_type='video', multi_class=True)
    assert records[0].label == [1, 4, 7]


@pytest.mark.parametrize('line,message', [
    ('b.mp4 two', "label 'two' is not an integer"),
    ('b.mp4 1 2', 'fields'),
])
def test_video_list_malformed_line_names_file_and_line(tmp_path, line,
                                                       message):
    path = write(tmp_path / 'bad.txt', f'a.mp4 0\n\n{line}\nc.mp4 1\n')
    with pytest.raises(ValueError) as err:
        read_annotations(path, ann_type='video')
    assert f'{path}:3' in str(err.value)
    assert message in str(err.value)


def test_rawframe_list_with_and_without_offset(tmp_path):
    path = write(tmp_path / 'frames.txt', 'v1 120 4\nv2 80\n')
    # The first non-blank line decides; two fields look like a video list.
    assert guess_ann_type(path) == 'rawframe'
    assert guess_ann_type(write(tmp_path / 'two.txt', '\nv2 80\n')) == 'video'
    records = read_annotations(path, ann_type='rawframe')
    assert [(r.key, r.label) for r in records] == [('v1', 4), ('v2', -1)]
    path = write(tmp_path / 'offset.txt', 'v1 10 120 4\nv2 0 80 2\n')
    assert guess_ann_type(path) == 'rawframe'
    records = read_annotations(path, with_offset=True)
    assert [(r.key, r.label, r.kind) for r in records] == [
        ('v1', 4, 'rawframe'), ('v2', 2, 'rawframe')]


@pytest.mark.parametrize('line,message', [
    ('v2', 'expected "frame_dir total_frames label"'),
    ('v2 many 3', "frame count / offset 'many'"),
    ('v2 50 x', "label 'x' is not an integer"),
])
def test_rawframe_malformed_line(tmp_path, line, message):
    path = write(tmp_path / 'frames.txt', f'v1 120 4\n{line}\n')
    with pytest.raises(ValueError) as err:
        read_annotations(path, ann_type='rawframe')
    assert f'{path}:2' in str(err.value)
    assert message in str(err.value)


def test_missing_annotation_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.txt'):
        read_annotations(str(tmp_path / 'nowhere.txt'))


# ----------------------------------------------------------------- pose --
def test_pose_pickle_with_split(tmp_path):
    data = dict(
        split=dict(train=['s1', 's3'], val=['s2']),
        annotations=[
            pose_anno('s1', 0),
            pose_anno('s2', 1),
            pose_anno('s3', np.int64(2))
        ])
    path = dump(tmp_path / 'pose.pkl', data)
    assert guess_ann_type(path) == 'pose'
    records = read_annotations(path)
    assert [r.key for r in records] == ['s1', 's2', 's3']
    train = read_annotations(path, split='train')
    assert [(r.key, r.label, r.line) for r in train] == [('s1', 0, 0),
                                                        ('s3', 2, 2)]
    assert train[1].raw is not None and train[1].raw['frame_dir'] == 's3'
    assert train[1].where == f'{path}: annotations[2]'


def test_pose_pickle_bare_list(tmp_path):
    path = dump(tmp_path / 'list.pkl', [pose_anno('a', 1)])
    assert read_annotations(path)[0].label == 1
    with pytest.raises(ValueError, match='no "split" dict'):
        read_annotations(path, split='train')


@pytest.mark.parametrize('payload,message', [
    (b'this is not a pickle', 'not a readable pickle'),
    (pickle.dumps('a string'), 'top-level object is a str'),
    (pickle.dumps(dict(split={})), 'missing key "annotations"'),
    (pickle.dumps(dict(annotations={})), '"annotations" is a dict'),
    (pickle.dumps(dict(annotations=[], split=[])), '"split" is a list'),
    (pickle.dumps(dict(annotations=['x'])), r'annotations\[0\] is a str'),
])
def test_malformed_pickles(tmp_path, payload, message):
    path = tmp_path / 'bad.pkl'
    path.write_bytes(payload)
    with pytest.raises(ValueError, match=message) as err:
        read_annotations(str(path))
    assert str(path) in str(err.value)


@pytest.mark.parametrize('key', ['frame_dir', 'label', 'keypoint'])
def test_annotation_missing_key(tmp_path, key):
    annos = [pose_anno('a', 0), pose_anno('b', 1)]
    del annos[1][key]
    path = dump(tmp_path / 'pose.pkl', dict(annotations=annos))
    with pytest.raises(ValueError) as err:
        read_annotations(path)
    assert f'{path}: annotations[1] misses key "{key}"' in str(err.value)


def test_non_integer_pose_label(tmp_path):
    path = dump(tmp_path / 'pose.pkl',
                dict(annotations=[pose_anno('a', 0),
                                  pose_anno('b', 1.5)]))
    with pytest.raises(ValueError, match=r'annotations\[1\]: label 1.5'):
        read_annotations(path)


def test_unknown_split_and_dangling_split_entry(tmp_path):
    data = dict(
        split=dict(xsub_train=['a', 'ghost']), annotations=[pose_anno('a', 0)])
    path = dump(tmp_path / 'pose.pkl', data)
    with pytest.raises(ValueError) as err:
        read_annotations(path, split='xview_train')
    assert "unknown split 'xview_train'" in str(err.value)
    assert 'xsub_train' in str(err.value) and path in str(err.value)
    with pytest.raises(ValueError, match="ghost"):
        read_annotations(path, split='xsub_train')


# ----------------------------------------------------------- validators --
def test_check_labels_out_of_range_names_file_line_label(tmp_path):
    path = write(tmp_path / 'train.txt', 'a.mp4 0\nb.mp4 9\nc.mp4 10\n')
    records = read_annotations(path)
    check_labels(records, 11)
    with pytest.raises(ValueError) as err:
        check_labels(records, 10)
    assert f'{path}:3' in str(err.value)
    assert 'label 10' in str(err.value) and "'c.mp4'" in str(err.value)
    # Negative labels other than the unlabeled marker are errors too.
    records[0].label = -1
    with pytest.raises(ValueError, match=f'{path}:1'):
        check_labels(records, 11)
    check_labels(records, 11, allow_unlabeled=True)


def test_check_labels_uses_given_source_and_rejects_empty():
    records = [AnnRecord('x', 5, 7, 'x 5', 'mem.txt', 'video')]
    with pytest.raises(ValueError, match='other.txt:7'):
        check_labels(records, 3, source='other.txt')
    with pytest.raises(ValueError, match='empty'):
        check_labels([], 3, source='empty.txt')


def test_check_files_exist_video_rawframe_pose(tmp_path):
    root = tmp_path / 'data'
    (root / 'cls').mkdir(parents=True)
    (root / 'cls' / 'ok.mp4').write_bytes(b'')
    (root / 'frames_ok').mkdir()
    path = write(tmp_path / 'list.txt', 'cls/ok.mp4 0\ncls/gone.mp4 1\n')
    records = read_annotations(path)
    check_files_exist(records[:1], str(root))
    with pytest.raises(FileNotFoundError) as err:
        check_files_exist(records, str(root))
    assert f'{path}:2: ' + osp.join(str(root), 'cls/gone.mp4') in str(
        err.value)
    assert '1 of 2' in str(err.value)

    path = write(tmp_path / 'frames.txt', 'frames_ok 3 0\nframes_no 3 0\n')
    records = read_annotations(path, ann_type='rawframe')
    with pytest.raises(FileNotFoundError, match='frames_no'):
        check_files_exist(records, str(root))

    pose = dump(tmp_path / 'p.pkl', dict(annotations=[pose_anno('s', 0)]))
    records = read_annotations(pose)
    check_files_exist(records, None)  # keypoints live in the pickle
    with pytest.raises(FileNotFoundError, match='s.pkl'):
        check_files_exist(records, str(root))


def test_check_files_exist_caps_the_listing(tmp_path):
    n = MAX_LISTED + 5
    path = write(tmp_path / 'list.txt',
                 ''.join(f'v{i}.mp4 0\n' for i in range(n)))
    with pytest.raises(FileNotFoundError) as err:
        check_files_exist(read_annotations(path), str(tmp_path))
    message = str(err.value)
    assert f'{n} of {n}' in message
    assert f'v{MAX_LISTED - 1}.mp4' in message
    assert f'v{MAX_LISTED}.mp4' not in message
    assert '... and 5 more' in message


def test_check_disjoint(tmp_path):
    lab = read_annotations(
        write(tmp_path / 'l.txt', 'a.mp4 0\nb.mp4 1\nc.mp4 2\n'))
    unl = read_annotations(write(tmp_path / 'u.txt', 'd.mp4\nc.mp4\nb.mp4\n'))
    check_disjoint(lab[:1], unl)
    with pytest.raises(ValueError) as err:
        check_disjoint(lab, unl)
    message = str(err.value)
    assert message.startswith('2 sample(s)')
    assert "'b.mp4'" in message and "'c.mp4'" in message
    assert 'u.txt:3' in message and 'l.txt:2' in message


# ------------------------------------------------------------ real data --
def test_real_ucf101_list_is_one_based(shared_data):
    """The official UCF101 list numbers classes 1-101: check_labels flags it
    at the first line that carries label 101."""
    path = osp.join(shared_data, 'splits', 'ucf101', 'trainlist01.txt')
    records = read_annotations(path)
    assert len(records) == 9537
    with open(path) as f:
        first = next(i for i, line in enumerate(f, 1)
                     if line.split()[1] == '101')
    with pytest.raises(ValueError) as err:
        check_labels(records, 101)
    assert f'{path}:{first}: label 101' in str(err.value)
    check_labels(records, 102)
    assert os.path.isfile(path)
