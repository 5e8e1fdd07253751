"""SemiDataset: labeled / unlabeled roles, broken files, up-front checks,
seeded augmentation."""
import os
import os.path as osp
import pickle
import random

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from mmssar.datasets import SemiDataset, check_disjoint, check_num_classes
from mmssar.registry import DATASETS

FRAMES, SIZE = 10, 32

PIPELINE = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=1, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='RandomResizedCrop', area_range=(0.3, 1.0)),
    dict(type='Resize', scale=(16, 16), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def _write_mp4(path, seed):
    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (SIZE, SIZE))
    assert writer.isOpened()
    for _ in range(FRAMES):
        writer.write(
            rng.integers(0, 256, size=(SIZE, SIZE, 3), dtype=np.uint8))
    writer.release()


@pytest.fixture(scope='module')
def video_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('videos'))
    for i in range(4):
        _write_mp4(osp.join(root, f'v{i}.mp4'), i)
    for name in ('bad0.mp4', 'bad1.mp4', 'bad2.mp4'):
        with open(osp.join(root, name), 'wb') as f:
            f.write(os.urandom(2048))
    return root


def _list(root, name, lines):
    path = osp.join(root, name)
    with open(path, 'w') as f:
        f.writelines(f'{line}\n' for line in lines)
    return path


def _semi(root, lines, role, name='list.txt', **kwargs):
    ann = _list(root, name, lines)
    return DATASETS.build(
        dict(
            type='SemiDataset',
            role=role,
            dataset=dict(
                type='VideoDataset',
                ann_file=ann,
                data_prefix=dict(video=root),
                pipeline=PIPELINE),
            **kwargs))


def test_labeled_role_keeps_labels(video_root, tmp_path):
    ds = _semi(video_root, ['v0.mp4 0', 'v1.mp4 1'], 'labeled',
               name=osp.join(tmp_path, 'l.txt'), num_classes=2)
    assert len(ds) == 2
    out = ds[1]
    assert out['inputs'].shape == (1, 3, 4, 16, 16)
    sample = out['data_samples']
    assert sample.gt_label.item() == 1
    assert sample.metainfo['sample_idx'] == 1
    assert 'hidden_label' not in sample.metainfo
    assert ds.labels().tolist() == [0, 1]


def test_unlabeled_role_hides_labels(video_root, tmp_path):
    ds = _semi(video_root, ['v0.mp4 0', 'v1.mp4 1', 'v2.mp4 1'],
               'unlabeled', name=osp.join(tmp_path, 'u.txt'))
    for i, label in enumerate((0, 1, 1)):
        sample = ds[i]['data_samples']
        assert sample.gt_label.item() == -1
        assert sample.metainfo['hidden_label'] == label
        assert sample.metainfo['skipped'] == []
        assert sample.metainfo['sample_idx'] == i
    # the wrapped dataset still holds the true labels for monitoring
    assert ds.labels().tolist() == [0, 1, 1]


def test_corrupt_unlabeled_video_is_skipped(video_root, tmp_path):
    ds = _semi(video_root, ['v0.mp4 0', 'bad0.mp4 1', 'v3.mp4 1'],
               'unlabeled', name=osp.join(tmp_path, 'u.txt'))
    sample = ds[(1, 5)]['data_samples']
    assert sample.metainfo['sample_idx'] == 2
    assert sample.metainfo['hidden_label'] == 1
    skipped = sample.metainfo['skipped']
    assert len(skipped) == 1 and skipped[0].endswith('bad0.mp4')


def test_missing_unlabeled_video_is_skipped_at_load(video_root, tmp_path):
    ds = _semi(video_root, ['v0.mp4 0', 'gone.mp4 1'], 'unlabeled',
               name=osp.join(tmp_path, 'u.txt'))
    sample = ds[1]['data_samples']
    assert sample.metainfo['sample_idx'] == 0  # wrapped around
    assert sample.metainfo['skipped'][0].endswith('gone.mp4')


def test_unreadable_unlabeled_pool_gives_up(video_root, tmp_path):
    ds = _semi(video_root, ['bad0.mp4 0', 'bad1.mp4 0', 'bad2.mp4 0'],
               'unlabeled', name=osp.join(tmp_path, 'u.txt'),
               max_consecutive_skips=2)
    with pytest.raises(RuntimeError, match='bad0.mp4'):
        ds[0]


def test_corrupt_labeled_video_raises_naming_the_file(video_root, tmp_path):
    ann = osp.join(tmp_path, 'l.txt')
    ds = _semi(video_root, ['v0.mp4 0', 'bad1.mp4 1'], 'labeled', name=ann)
    with pytest.raises(RuntimeError, match='bad1.mp4') as err:
        ds[1]
    # the annotation file and the line of the sample are named
    msg = str(err.value)
    assert 'l.txt:2' in msg or ('l.txt' in msg and 'entry 2' in msg), msg


def test_missing_labeled_file_is_refused_up_front(video_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='missing_clip.mp4'):
        _semi(video_root, ['v0.mp4 0', 'missing_clip.mp4 1'], 'labeled',
              name=osp.join(tmp_path, 'l.txt'))


def test_label_out_of_range_names_the_file(video_root, tmp_path):
    with pytest.raises(ValueError, match='v1.mp4') as err:
        _semi(video_root, ['v0.mp4 0', 'v1.mp4 5'], 'unlabeled',
              name=osp.join(tmp_path, 'u.txt'), num_classes=3)
    assert 'num_classes=3' in str(err.value)


def test_empty_list_is_refused(video_root, tmp_path):
    with pytest.raises(ValueError):
        _semi(video_root, [], 'labeled', name=osp.join(tmp_path, 'e.txt'))


def test_missing_annotation_file_and_bad_role(video_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        SemiDataset(
            dict(type='VideoDataset', ann_file=osp.join(tmp_path,
                                                        'nope.txt'),
                 pipeline=PIPELINE))
    with pytest.raises(ValueError, match='role'):
        SemiDataset(dict(type='VideoDataset'), role='test')


def _rng_state():
    return (random.getstate(), np.random.get_state()[1].copy(),
            torch.random.get_rng_state().clone())


def test_seeded_indices_reproduce_and_keep_main_rng(video_root, tmp_path):
    ds = _semi(video_root, ['v0.mp4 0', 'v1.mp4 1'], 'unlabeled',
               name=osp.join(tmp_path, 'u.txt'))
    before = _rng_state()
    a = ds[(0, 7)]['inputs']
    b = ds[(0, 7)]['inputs']
    c = ds[(0, 8)]['inputs']
    after = _rng_state()
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert before[0] == after[0]
    assert np.array_equal(before[1], after[1])
    assert torch.equal(before[2], after[2])


def test_check_disjoint(video_root, tmp_path):
    lab = _semi(video_root, ['v0.mp4 0', 'v1.mp4 1'], 'labeled',
                name=osp.join(tmp_path, 'l.txt'))
    unl = _semi(video_root, ['v2.mp4 0', 'v3.mp4 1'], 'unlabeled',
                name=osp.join(tmp_path, 'u.txt'))
    check_disjoint(lab, unl)
    overlap = _semi(video_root, ['v1.mp4 1', 'v3.mp4 1'], 'unlabeled',
                    name=osp.join(tmp_path, 'u2.txt'))
    with pytest.raises(ValueError, match='v1.mp4'):
        check_disjoint(lab, overlap)


def test_check_num_classes(video_root, tmp_path):
    lab = _semi(video_root, ['v0.mp4 0', 'v1.mp4 3'], 'labeled',
                name=osp.join(tmp_path, 'l.txt'))
    check_num_classes([lab], 4)
    with pytest.raises(ValueError, match='label 3'):
        check_num_classes([lab], 3)
    ann = _list(tmp_path, 'c.txt', ['v0.mp4 0'])
    declared = SemiDataset(
        dict(
            type='VideoDataset',
            ann_file=ann,
            data_prefix=dict(video=video_root),
            metainfo=dict(classes=('a', 'b', 'c')),
            pipeline=PIPELINE))
    with pytest.raises(ValueError, match='3 classes'):
        check_num_classes([declared], 5)


# ------------------------------------------------------------- skeletons
def _pose_pickle(path, labels):
    rng = np.random.default_rng(0)
    annos = []
    for i, label in enumerate(labels):
        t = 12 + i
        annos.append(
            dict(
                frame_dir=f'skel_{i}',
                label=label,
                total_frames=t,
                img_shape=(64, 64),
                keypoint=rng.normal(size=(1, t, 17, 2)).astype(np.float32),
                keypoint_score=np.ones((1, t, 17), np.float32)))
    with open(path, 'wb') as f:
        pickle.dump(dict(split=dict(train=[a['frame_dir'] for a in annos]),
                         annotations=annos), f)


def test_pose_dataset_unlabeled(tmp_path):
    ann = osp.join(tmp_path, 'pose.pkl')
    _pose_pickle(ann, [0, 2, 1])
    pipeline = [
        dict(type='UniformSampleFrames', clip_len=8),
        dict(type='PoseDecode'),
        dict(type='FormatGCNInput', num_person=1),
        dict(type='PackActionInputs')
    ]
    ds = SemiDataset(
        dict(type='PoseDataset', ann_file=ann, split='train',
             pipeline=pipeline),
        role='unlabeled',
        num_classes=3)
    assert len(ds) == 3
    out = ds[(1, 3)]
    assert out['inputs'].shape == (1, 1, 8, 17, 3)  # x, y, score
    sample = out['data_samples']
    assert sample.gt_label.item() == -1
    assert sample.metainfo['hidden_label'] == 2
    assert ds.sample_keys() == ['skel_0', 'skel_1', 'skel_2']
    # labeled role with inline skeletons: no file check, labels kept
    lab = SemiDataset(
        dict(type='PoseDataset', ann_file=ann, split='train',
             pipeline=pipeline),
        role='labeled',
        num_classes=3)
    assert lab[1]['data_samples'].gt_label.item() == 2
