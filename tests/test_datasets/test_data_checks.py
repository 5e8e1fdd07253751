"""Bad data is named, skipped and counted, or refused up front (issue 10,
points 6-8): non-finite inputs, empty lists, malformed pose records, broken
validation clips, class-count mismatches and labeled splits missing a
class."""
import os.path as osp
import pickle

import numpy as np
import pytest
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope

from mmssar.datasets import (SemiDataset, check_num_classes,
                             name_sample_errors, warn_missing_classes)

PIPELINE = [
    dict(type='UniformSampleFrames', clip_len=4),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs')
]


@pytest.fixture(autouse=True)
def mmssar_scope():
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield


def _annos(labels, nan_at=()):
    rng = np.random.default_rng(0)
    annos = []
    for i, label in enumerate(labels):
        kp = rng.normal(size=(1, 6, 5, 2)).astype(np.float32)
        if i in nan_at:
            kp[0, :, 2] = np.nan
        annos.append(dict(frame_dir=f'skel_{i}', label=label, total_frames=6,
                          img_shape=(64, 64), keypoint=kp,
                          keypoint_score=np.ones((1, 6, 5), np.float32)))
    return annos


def _pickle(path, annos):
    with open(path, 'wb') as f:
        pickle.dump(dict(split=dict(train=[a['frame_dir'] for a in annos]),
                         annotations=annos), f)
    return str(path)


def _pose_set(ann, role, **kwargs):
    return SemiDataset(dict(type='PoseDataset', ann_file=ann, split='train',
                            pipeline=PIPELINE), role=role, **kwargs)


def _log_capture():
    logger = MMLogger.get_current_instance()
    lines = []
    import logging
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.addHandler(handler)
    return logger, handler, lines


# ---------------------------------------------------------- point 6 --
def test_non_finite_unlabeled_sample_is_skipped_and_counted(tmp_path):
    ann = _pickle(tmp_path / 'u.pkl', _annos([0, 1, 2], nan_at=(1, )))
    ds = _pose_set(ann, 'unlabeled')
    out = ds[(1, 0)]
    # the next sample is returned; the skipped one travels with it, for the
    # model's skipped_unlabeled counter
    assert out['data_samples'].metainfo['sample_idx'] == 2
    assert out['data_samples'].metainfo['skipped'] == ['skel_1']
    assert np.isfinite(out['inputs'].numpy()).all()
    assert ds[(0, 0)]['data_samples'].metainfo['skipped'] == []


def test_non_finite_labeled_sample_is_named(tmp_path):
    ann = _pickle(tmp_path / 'l.pkl', _annos([0, 1, 2], nan_at=(2, )))
    ds = _pose_set(ann, 'labeled')
    ds[0]
    with pytest.raises(RuntimeError) as err:
        ds[2]
    msg = str(err.value)
    assert 'skel_2' in msg and 'index 2' in msg and 'l.pkl' in msg
    assert 'non-finite' in msg


# ---------------------------------------------------------- point 7 --
@pytest.mark.parametrize('role', ['labeled', 'unlabeled'])
def test_empty_list_is_refused_clearly(tmp_path, role):
    ann = tmp_path / 'empty.txt'
    ann.write_text('')
    with pytest.raises(ValueError) as err:
        SemiDataset(dict(type='VideoDataset', ann_file=str(ann),
                         pipeline=[]), role=role)
    assert f'the {role} set is empty' in str(err.value)
    assert 'empty.txt' in str(err.value)


@pytest.mark.parametrize('change,message', [
    (dict(keypoint=np.zeros((6, 5, 2), np.float32)), 'keypoint has shape'),
    (dict(total_frames=None), 'misses key "total_frames"'),
    (dict(total_frames=9), 'total_frames=9 but keypoint holds 6 frames'),
    (dict(keypoint_score=np.ones((1, 6), np.float32)),
     'keypoint_score has shape'),
])
def test_pose_records_are_validated_up_front(tmp_path, change, message):
    annos = _annos([0, 1, 2, 0])
    annos[3].update(change)
    if change.get('total_frames', 0) is None:
        del annos[3]['total_frames']
    ann = _pickle(tmp_path / 'p.pkl', annos)
    # refused when the set is built, not when the sample is drawn
    with pytest.raises(ValueError) as err:
        _pose_set(ann, 'unlabeled')
    assert 'annotations[3]' in str(err.value) and 'skel_3' in str(err.value)
    assert message in str(err.value)


def test_broken_validation_clip_is_named(tmp_path):
    from mmssar.registry import DATASETS
    (tmp_path / 'broken.mp4').write_bytes(b'\0' * 100)
    ann = tmp_path / 'val.txt'
    ann.write_text('broken.mp4 0\n')
    ds = DATASETS.build(dict(
        type='VideoDataset', ann_file=str(ann), test_mode=True,
        data_prefix=dict(video=str(tmp_path)),
        pipeline=[dict(type='DecordInit'), dict(type='DecordDecode')]))
    assert name_sample_errors(ds, 'validation')
    name_sample_errors(ds, 'validation')  # wrapped once
    with pytest.raises(RuntimeError) as err:
        ds[0]
    assert 'cannot load validation sample' in str(err.value)
    assert 'broken.mp4' in str(err.value) and 'index 0' in str(err.value)
    pickle.loads(pickle.dumps(ds.pipeline))  # survives dataloader workers


def test_sample_error_hook_wraps_built_val_and_test_loops():
    from types import SimpleNamespace

    from mmengine.runner.base_loop import BaseLoop

    from mmssar.datasets.input_checks import SampleNamingPipeline
    from mmssar.engine.hooks import SampleErrorHook

    class Loop(BaseLoop):

        def __init__(self, dataset):
            self.dataloader = SimpleNamespace(dataset=dataset)

        def run(self):
            pass

    val = SimpleNamespace(pipeline=lambda r: r)
    test = SimpleNamespace(pipeline=lambda r: r)
    runner = SimpleNamespace(_val_loop=Loop(val), _test_loop=Loop(test))
    SampleErrorHook().before_run(runner)
    assert isinstance(val.pipeline, SampleNamingPipeline)
    assert isinstance(test.pipeline, SampleNamingPipeline)
    assert val.pipeline.what == 'validation'


# ---------------------------------------------------------- point 8 --
def test_head_and_dataset_class_counts_must_agree(tmp_path):
    ann = _pickle(tmp_path / 'l.pkl', _annos([0, 1, 2]))
    ds = _pose_set(ann, 'labeled', num_classes=10)
    check_num_classes([ds], 10)
    with pytest.raises(ValueError) as err:
        check_num_classes([ds], 12)
    assert 'num_classes=10' in str(err.value) and '12' in str(err.value)


def test_labeled_split_missing_a_class_is_warned(tmp_path):
    ann = _pickle(tmp_path / 'l.pkl', _annos([0, 0, 2, 3]))
    ds = _pose_set(ann, 'labeled', num_classes=4)
    logger, handler, lines = _log_capture()
    try:
        assert warn_missing_classes(ds, 4) == [1]
        full = _pose_set(_pickle(tmp_path / 'f.pkl', _annos([0, 1, 2, 3])),
                         'labeled', num_classes=4)
        assert warn_missing_classes(full, 4) == []
    finally:
        logger.removeHandler(handler)
    warned = [line for line in lines if 'classes:' in line]
    assert len(warned) == 1
    assert 'no sample of 1 of 4 classes: [1]' in warned[0]
    assert '0:2 1:0 2:1 3:1' in warned[0]  # per-class counts
