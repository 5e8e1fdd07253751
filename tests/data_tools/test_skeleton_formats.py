"""Real-skeleton converters and graph layouts."""
import glob
import importlib.util
import json
import os.path as osp
import pickle
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from mmssar.datasets.ann_io import read_annotations
from mmssar.datasets.skeleton_formats import (
    NTU60_XSUB_TRAIN_SUBJECTS, NWUCLA_ACTIONS, convert_jhmdb, convert_ntu,
    convert_nwucla, ntu_split_names, parse_ntu_name, parse_nwucla_name,
    read_ntu_skeleton, read_nwucla_json)
from mmssar.models.utils.graphs import (JHMDB_LAYOUT, KINECT_V1_LAYOUT,
                                        get_graph_layout)


def load_tool(project_root, name):
    path = osp.join(project_root, 'tools', 'data', 'skeleton', f'{name}.py')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------- NW-UCLA --
def write_ucla(folder, name, frames=5, label='auto', joints=20, seed=0):
    action = parse_nwucla_name(name)['action']
    data = dict(
        file_name=name,
        skeletons=np.random.default_rng(seed).normal(
            size=(frames, joints, 3)).round(4).tolist())
    if label == 'auto':
        data['label'] = NWUCLA_ACTIONS.index(action) + 1
    elif label is not None:
        data['label'] = label
    path = osp.join(folder, name + '.json')
    with open(path, 'w') as f:
        json.dump(data, f)
    return path


def test_nwucla_synthetic(tmp_path):
    names = ['a12_s02_e01_v03', 'a01_s01_e00_v01', 'a08_s03_e02_v02',
             'a05_s01_e00_v03']
    paths = [write_ucla(tmp_path, n, frames=3 + i, seed=i)
             for i, n in enumerate(names)]
    anno = read_nwucla_json(paths[0])
    assert anno['frame_dir'] == 'a12_s02_e01_v03' and anno['label'] == 9
    assert anno['keypoint'].shape == (1, 3, 20, 3)
    assert anno['keypoint'].dtype == np.float32 and anno['total_frames'] == 3
    raw = json.load(open(paths[0]))['skeletons']
    np.testing.assert_allclose(anno['keypoint'][0], raw, rtol=1e-6)
    data = convert_nwucla(paths)
    assert [a['frame_dir'] for a in data['annotations']] == sorted(names)
    assert [a['label'] for a in data['annotations']] == [0, 4, 6, 9]
    assert data['split']['xview_train'] == ['a01_s01_e00_v01',
                                            'a08_s03_e02_v02']
    assert data['split']['xview_val'] == ['a05_s01_e00_v03',
                                          'a12_s02_e01_v03']
    assert data['split']['view2'] == ['a08_s03_e02_v02']


@pytest.mark.parametrize('name,kwargs,message', [
    ('a07_s01_e00_v01', {}, 'unknown NW-UCLA action id a07'),
    ('a01_s01_e00_v01', dict(label=5), '"label" 5 disagrees'),
    ('a01_s01_e00_v01', dict(joints=25), r'shape \(5, 25, 3\)'),
    ('a01_s01_e00_v01', dict(frames=0), r'shape \(0,\)'),
])
def test_nwucla_errors_name_the_file(tmp_path, name, kwargs, message):
    if 'a07' in name:
        path = osp.join(tmp_path, name + '.json')
        json.dump(dict(file_name=name, skeletons=[[[0, 0, 0]] * 20]),
                  open(path, 'w'))
    else:
        path = write_ucla(tmp_path, name, **kwargs)
    with pytest.raises(ValueError, match=message) as err:
        read_nwucla_json(path)
    assert path in str(err.value)


def test_nwucla_bad_name_and_json(tmp_path):
    path = str(tmp_path / 'clip.json')
    json.dump(dict(file_name='clip01', skeletons=[]), open(path, 'w'))
    with pytest.raises(ValueError, match='not an NW-UCLA clip name'):
        read_nwucla_json(path)
    open(path, 'w').write('{"skeletons": [')
    with pytest.raises(ValueError, match='not valid JSON'):
        read_nwucla_json(path)


@pytest.fixture(scope='module')
def nwucla(shared_data, tmp_path_factory, project_root):
    """The real NW-UCLA set converted once with the CLI."""
    out = str(tmp_path_factory.mktemp('nwucla') / 'nwucla_3d.pkl')
    tool = load_tool(project_root, 'nwucla_to_pose')
    src = osp.join(shared_data, 'skeleton', 'nw_ucla')
    assert tool.main([src, out]) == 0
    return out, src


def test_nwucla_real_counts(nwucla):
    out, src = nwucla
    data = pickle.load(open(out, 'rb'))
    annos = data['annotations']
    assert len(annos) == 1484
    assert len(data['split']['xview_train']) == 1020
    assert len(data['split']['xview_val']) == 464
    assert sum(len(data['split'][f'view{v}']) for v in (1, 2, 3)) == 1484
    assert sorted({a['label'] for a in annos}) == list(range(10))
    by_name = {a['frame_dir']: a for a in annos}
    train = Counter(by_name[n]['label'] for n in data['split']['xview_train'])
    assert len(train) == 10 and 96 <= min(train.values())
    assert max(train.values()) <= 124
    for anno in annos[::97]:
        t = anno['total_frames']
        assert anno['keypoint'].shape == (1, t, 20, 3)
        assert anno['keypoint'].dtype == np.float32
        raw = json.load(open(osp.join(src, anno['frame_dir'] + '.json')))
        assert raw['label'] == anno['label'] + 1
        assert len(raw['skeletons']) == t
    # The mmssar reader accepts it, as does MMAction2's PoseDataset.
    assert len(read_annotations(out, split='xview_val')) == 464


def test_nwucla_real_trains_through_stgcn(nwucla):
    from mmssar.registry import DATASETS, MODELS

    out, _ = nwucla
    pipeline = [
        dict(type='UniformSampleFrames', clip_len=16),
        dict(type='PoseDecode'),
        dict(type='FormatGCNInput', num_person=1),
        dict(type='PackActionInputs')
    ]
    with DefaultScope.overwrite_default_scope('mmssar'):
        dataset = DATASETS.build(
            dict(
                type='PoseDataset',
                ann_file=out,
                pipeline=pipeline,
                split='xview_train'))
    assert len(dataset) == 1020
    sample = dataset[0]
    assert sample['inputs'].shape == (1, 1, 16, 20, 3)
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = build_small_stgcn(MODELS)
    data = model.data_preprocessor(dict(inputs=[sample['inputs']],
                                        data_samples=[sample['data_samples']]),
                                   training=True)
    losses = model(**data, mode='loss')
    losses['loss_cls'].backward()
    assert torch.isfinite(losses['loss_cls'])


def build_small_stgcn(registry):
    return registry.build(
        dict(
            type='RecognizerGCN',
            backbone=dict(
                type='STGCN',
                base_channels=16,
                num_stages=2,
                graph_cfg=dict(
                    layout=get_graph_layout('nw-ucla'),
                    mode='stgcn_spatial')),
            cls_head=dict(type='GCNHead', num_classes=10, in_channels=16)))


# ----------------------------------------------------------------- JHMDB --
def write_jhmdb(folder, split, train, test):
    for phase, items in (('train', train), ('test', test)):
        data = dict(
            pose=[np.full((t, 15, 2), i, np.float64)
                  for i, (t, _) in enumerate(items)],
            label=[c for _, c in items])
        with open(osp.join(folder, f'GT_{phase}_{split}.pkl'), 'wb') as f:
            pickle.dump(data, f)


def test_jhmdb_synthetic(tmp_path):
    write_jhmdb(tmp_path, 1, [(4, 'walk'), (6, 'clap'), (3, 'run')],
                [(5, 'clap')])
    data = convert_jhmdb(str(tmp_path), splits=[1])
    assert data['label_names'] == ['clap', 'run', 'walk']
    assert data['split'] == dict(
        train1=['jhmdb_train1_0000', 'jhmdb_train1_0001',
                'jhmdb_train1_0002'],
        test1=['jhmdb_test1_0000'])
    annos = {a['frame_dir']: a for a in data['annotations']}
    walk = annos['jhmdb_train1_0000']
    assert walk['label'] == 2 and walk['total_frames'] == 4
    assert walk['keypoint'].shape == (1, 4, 15, 2)
    assert walk['keypoint'].dtype == np.float32
    assert walk['keypoint_score'].shape == (1, 4, 15)
    assert annos['jhmdb_train1_0001']['keypoint'].max() == 1
    with pytest.raises(FileNotFoundError, match='GT_train_2.pkl'):
        convert_jhmdb(str(tmp_path), splits=[2])


def test_jhmdb_bad_pose_shape(tmp_path):
    write_jhmdb(tmp_path, 1, [(4, 'walk')], [(5, 'clap')])
    data = pickle.load(open(tmp_path / 'GT_test_1.pkl', 'rb'))
    data['pose'][0] = np.zeros((5, 14, 2))
    pickle.dump(data, open(tmp_path / 'GT_test_1.pkl', 'wb'))
    with pytest.raises(ValueError, match=r'GT_test_1.pkl: pose\[0\]'):
        convert_jhmdb(str(tmp_path), splits=[1])


def test_jhmdb_real(shared_data, tmp_path, project_root):
    tool = load_tool(project_root, 'jhmdb_to_pose')
    out = str(tmp_path / 'jhmdb.pkl')
    src = osp.join(shared_data, 'skeleton', 'jhmdb_gt_pose')
    assert tool.main([src, out, '--splits', '1']) == 0
    data = pickle.load(open(out, 'rb'))
    assert len(data['split']['train1']) == 433
    assert len(data['split']['test1']) == 176
    assert len(data['label_names']) == 14
    source = pickle.load(open(osp.join(src, 'GT_train_1.pkl'), 'rb'))
    first = data['annotations'][0]
    np.testing.assert_allclose(first['keypoint'][0], source['pose'][0],
                               rtol=1e-6)
    assert data['label_names'][first['label']] == source['label'][0]
    records = read_annotations(out, split='test1')
    assert {r.label for r in records} <= set(range(14))


# ------------------------------------------------------------------- NTU --
def write_ntu(path, frames):
    """frames: list of lists of (body_id, joints (25, 3))."""
    lines = [str(len(frames))]
    for bodies in frames:
        lines.append(str(len(bodies)))
        for body_id, joints in bodies:
            lines.append(f'{body_id} 0 1 1 1 1 0 0.01 -0.2 2')
            lines.append('25')
            lines += [f'{x:.6f} {y:.6f} {z:.6f} 1 2 3 4 0 0 0 0 2'
                      for x, y, z in joints]
    with open(path, 'w') as f:
        f.write('\r\n'.join(lines) + '\r\n')
    return str(path)


def test_ntu_parser_tracks_bodies_and_empty_frames(tmp_path):
    a = np.arange(75, dtype=np.float32).reshape(25, 3) / 100
    b = -a
    frames = [[('111', a)], [], [('111', a + 1), ('222', b)], [('222', b)]]
    path = write_ntu(tmp_path / 'S002C003P004R001A060.skeleton', frames)
    out = read_ntu_skeleton(path)
    assert out['frame_dir'] == 'S002C003P004R001A060'
    assert out['label'] == 59 and out['total_frames'] == 4
    kp = out['keypoint']
    assert kp.shape == (2, 4, 25, 3) and kp.dtype == np.float32
    np.testing.assert_allclose(kp[0, 0], a, atol=1e-6)
    np.testing.assert_allclose(kp[0, 2], a + 1, atol=1e-6)
    assert not kp[:, 1].any()  # zero-body frame
    assert not kp[0, 3].any() and not kp[1, 0].any()
    np.testing.assert_allclose(kp[1, 2:], [b, b], atol=1e-6)


def test_ntu_parser_keeps_the_most_moving_bodies(tmp_path):
    rng = np.random.default_rng(0)
    still = np.ones((25, 3))
    frames = [[('1', still), ('2', rng.normal(size=(25, 3))),
               ('3', rng.normal(size=(25, 3)) * 3)] for _ in range(5)]
    path = write_ntu(tmp_path / 'S001C001P001R001A001.skeleton', frames)
    out = read_ntu_skeleton(path, max_bodies=2)
    assert out['keypoint'].shape == (2, 5, 25, 3)
    # The still body 1 is dropped; 2 and 3 keep their order.
    assert not np.allclose(out['keypoint'][0, 0], 1)
    np.testing.assert_allclose(out['keypoint'][0, 0], frames[0][1][1],
                               atol=1e-5)
    assert read_ntu_skeleton(path, max_bodies=3)['keypoint'].shape[0] == 3


def test_ntu_truncated_and_malformed(tmp_path):
    joints = np.zeros((25, 3))
    path = write_ntu(tmp_path / 'S001C001P001R001A001.skeleton',
                     [[('1', joints)]] * 3)
    lines = open(path).read().splitlines()
    open(path, 'w').write('\n'.join(lines[:40]) + '\n')
    with pytest.raises(ValueError) as err:
        read_ntu_skeleton(path)
    assert f'{path}:41: unexpected end of file' in str(err.value)
    bad = list(lines)
    bad[5] = '0.1 oops 0.3 1 2 3'
    open(path, 'w').write('\n'.join(bad) + '\n')
    with pytest.raises(ValueError, match=f'{path}:6: expected joint 2'):
        read_ntu_skeleton(path)
    open(tmp_path / 'clip.skeleton', 'w').write('1\n0\n')
    with pytest.raises(ValueError, match='not an NTU RGB\\+D sample name'):
        read_ntu_skeleton(str(tmp_path / 'clip.skeleton'))


def test_ntu_convert_splits_and_empty_files(tmp_path, project_root):
    joints = np.ones((25, 3))
    names = ['S001C002P001R001A001', 'S001C001P003R002A002',
             'S017C003P040R001A060', 'S001C003P002R001A003']
    for name in names[:3]:
        write_ntu(tmp_path / f'{name}.skeleton', [[('9', joints)]] * 2)
    write_ntu(tmp_path / f'{names[3]}.skeleton', [[], []])
    paths = sorted(glob.glob(str(tmp_path / '*.skeleton')))
    data = convert_ntu(paths)
    assert data['skipped'] == [names[3]]
    assert [a['frame_dir'] for a in data['annotations']] == sorted(names[:3])
    assert data['split']['xsub_train'] == ['S001C002P001R001A001']
    assert sorted(data['split']['xsub_val']) == sorted(
        ['S001C001P003R002A002', 'S017C003P040R001A060'])
    assert data['split']['xview_train'] == [
        'S001C002P001R001A001', 'S017C003P040R001A060'
    ]
    assert set(data['split']) == {
        'xsub_train', 'xsub_val', 'xview_train', 'xview_val'
    }
    assert convert_ntu(paths, ignore=[names[0]])['split']['xsub_train'] == []
    tool = load_tool(project_root, 'ntu_to_pose')
    out = str(tmp_path / 'out.pkl')
    assert tool.main([str(tmp_path), out]) == 0
    saved = pickle.load(open(out, 'rb'))
    assert 'skipped' not in saved and len(saved['annotations']) == 3
    write_ntu(tmp_path / 'S002C001P001R001A099.skeleton', [[('1', joints)]])
    assert tool.main([str(tmp_path), out]) == 1  # A099 is not in NTU-60


def test_ntu_split_names():
    assert parse_ntu_name('S005C002P017R002A044') == dict(
        setup=5, camera=2, performer=17, replication=2, action=44)
    for p in range(1, 41):
        name = f'S001C001P{p:03d}R001A001'
        xsub = ntu_split_names(name)[0]
        assert (xsub == 'xsub_train') == (p in NTU60_XSUB_TRAIN_SUBJECTS)
    assert ntu_split_names('S001C003P001R001A001')[1] == 'xview_train'
    assert ntu_split_names('S001C001P001R001A001')[1] == 'xview_val'
    assert ntu_split_names('S018C001P045R001A100', 'ntu120') == [
        'xsub_train', 'xset_train'
    ]
    assert ntu_split_names('S019C001P044R001A100', 'ntu120') == [
        'xsub_val', 'xset_val'
    ]
    with pytest.raises(ValueError, match='unknown NTU benchmark'):
        ntu_split_names('S001C001P001R001A001', 'ntu90')


def test_ntu_real_samples(shared_data):
    paths = sorted(
        glob.glob(osp.join(shared_data, 'skeleton', 'ntu_raw_samples',
                           '*.skeleton')))
    assert len(paths) == 5
    outs = [read_ntu_skeleton(p) for p in paths]
    assert sorted(o['keypoint'].shape[0] for o in outs) == [1, 1, 1, 1, 2]
    for path, out in zip(paths, outs):
        name = osp.splitext(osp.basename(path))[0]
        assert out['label'] == int(name[-3:]) - 1
        with open(path) as f:
            assert out['total_frames'] == int(f.readline())
            f.readline()
            f.readline()
            f.readline()
            first_joint = [float(x) for x in f.readline().split()[:3]]
        np.testing.assert_allclose(out['keypoint'][0, 0, 0], first_joint,
                                   rtol=1e-6)
        # Kinect depth is positive where a body is present.
        present = out['keypoint'][0].any(axis=(1, 2))
        assert (out['keypoint'][0, present, :, 2] > 0).all()
    data = convert_ntu(paths)
    assert sum(len(v) for k, v in data['split'].items()
               if k.startswith('xsub')) == 5


# ---------------------------------------------------------------- graphs --
@pytest.mark.parametrize('layout,num_node', [(KINECT_V1_LAYOUT, 20),
                                             (JHMDB_LAYOUT, 15)])
def test_layouts_are_trees_and_run_in_stgcn(layout, num_node):
    from mmaction.models.backbones import STGCN
    from mmaction.models.utils.graph import get_hop_distance

    assert layout['num_node'] == num_node
    # A spanning tree: num_node - 1 edges and every joint reaches the centre.
    assert len(layout['inward']) == num_node - 1
    hops = get_hop_distance(num_node, layout['inward'], max_hop=num_node)
    assert np.isfinite(hops[layout['center']]).all()
    # 'inward' edges point towards the centre: the parent is one hop closer.
    for child, parent in layout['inward']:
        assert hops[layout['center'], parent] == (
            hops[layout['center'], child] - 1)
    model = STGCN(
        graph_cfg=dict(layout=layout, mode='stgcn_spatial'),
        in_channels=3,
        base_channels=16,
        num_stages=2)
    out = model(torch.randn(2, 1, 12, num_node, 3))
    assert out.shape == (2, 1, 16, 12, num_node)


def test_get_graph_layout_and_config_usage(tmp_path):
    from mmengine import Config

    layout = get_graph_layout('kinect_v1')
    layout['inward'].append((0, 0))
    assert get_graph_layout('nw-ucla') == KINECT_V1_LAYOUT
    assert (0, 0) not in KINECT_V1_LAYOUT['inward']
    with pytest.raises(KeyError, match='jhmdb'):
        get_graph_layout('kinect_v2')
    cfg_path = tmp_path / 'cfg.py'
    cfg_path.write_text(
        '_base_ = []\n'
        'from mmssar.models.utils.graphs import KINECT_V1_LAYOUT\n'
        "backbone = dict(type='STGCN', graph_cfg=dict(\n"
        "    layout=KINECT_V1_LAYOUT, mode='stgcn_spatial'))\n"
        'del KINECT_V1_LAYOUT\n')
    cfg = Config.fromfile(str(cfg_path))
    assert list(cfg.keys()) == ['backbone']
    dumped = tmp_path / 'dumped.py'
    cfg.dump(str(dumped))
    again = Config.fromfile(str(dumped))
    from mmaction.models.utils import Graph
    graph = Graph(**again.backbone.graph_cfg)
    assert graph.A.shape == (3, 20, 20)
