"""Temporal-gradient transforms, layout handling and the offline extractor."""
import importlib.util
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import torch
from mmaction.datasets.transforms import (DecordDecode, Flip, FormatShape,
                                          RandomResizedCrop, RawFrameDecode,
                                          Resize, SampleFrames, ThreeCrop)
from mmengine.registry import DefaultScope

from mmssar.datasets.transforms.temporal_gradient import (
    LoadOfflineTemporalGradient, PickModality, SampleFramesWithNext,
    TemporalGradient, temporal_gradient)
from mmssar.registry import TRANSFORMS


def _ref_tg(a, b):
    """Per-pixel reference: floor((a - b + 255) / 2) with Python ints."""
    out = np.empty(a.shape, np.uint8)
    for idx in np.ndindex(a.shape):
        out[idx] = (int(a[idx]) - int(b[idx]) + 255) // 2
    return out


def _video(num_frames=24, h=40, w=56, seed=0):
    return np.random.RandomState(seed).randint(
        0, 256, (num_frames, h, w, 3), dtype=np.uint8)


def _sample_and_decode(video, sampler, start_index=0):
    """SampleFramesWithNext + an in-memory decode of ``frame_inds``."""
    results = dict(total_frames=len(video), start_index=start_index)
    results = sampler(results)
    # copies: MMAction2's Flip works in place, as on freshly decoded frames
    results['imgs'] = [
        video[i - start_index].copy() for i in results['frame_inds']
    ]
    results['img_shape'] = video.shape[1:3]
    results['original_shape'] = video.shape[1:3]
    results['modality'] = 'RGB'
    return results


def test_tg_values_hand_made():
    a = np.array([[[10, 200, 0], [255, 127, 128]]], np.uint8)
    b = np.array([[[200, 10, 255], [0, 127, 127]]], np.uint8)
    tg = temporal_gradient(a, b, 'uint8')
    assert tg.dtype == np.uint8
    np.testing.assert_array_equal(tg, _ref_tg(a, b))
    # spot values: (10-200+255)//2=32, (200-10+255)//2=222, static -> 127
    assert tg[0, 0, 0] == 32 and tg[0, 0, 1] == 222 and tg[0, 1, 1] == 127
    assert tg[0, 0, 2] == 0 and tg[0, 1, 0] == 255
    tgf = temporal_gradient(a, b, 'float')
    assert tgf.dtype == np.float32
    np.testing.assert_array_equal(tgf, a.astype(np.float32) - b)
    with pytest.raises(ValueError, match='mode'):
        temporal_gradient(a, b, 'int')


def test_sampler_pairs_and_clamp():
    # test mode, clip covering the whole video: last sample has no successor
    sampler = SampleFramesWithNext(
        clip_len=8, frame_interval=1, test_mode=True,
        exclude_last_frame=False)
    res = sampler(dict(total_frames=8, start_index=1))
    inds = res['frame_inds']
    assert len(inds) == 16
    np.testing.assert_array_equal(inds[0::2], np.arange(1, 9))
    np.testing.assert_array_equal(inds[1::2], [2, 3, 4, 5, 6, 7, 8, 8])

    # default excludes the last frame, so t + 1 always exists (official)
    sampler = SampleFramesWithNext(clip_len=4, frame_interval=3, num_clips=2)
    plain = SampleFrames(clip_len=4, frame_interval=3, num_clips=2)
    for seed in range(30):
        np.random.seed(seed)
        res = sampler(dict(total_frames=20, start_index=1))
        assert res['total_frames'] == 20
        base, nxt = res['frame_inds'][0::2], res['frame_inds'][1::2]
        assert base.max() <= 19 and (nxt == base + 1).all()
        np.random.seed(seed)
        ref = plain(dict(total_frames=19, start_index=1))['frame_inds']
        np.testing.assert_array_equal(base, ref)
        assert res['clip_len'] == 4 and res['num_clips'] == 2


def test_tg_transform_requires_pairs():
    with pytest.raises(KeyError, match='SampleFramesWithNext'):
        TemporalGradient()(dict(imgs=[np.zeros((2, 2, 3), np.uint8)] * 2))


def _write_mp4(path, num_frames=30, h=48, w=64):
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                             (w, h))
    assert writer.isOpened()
    for i in range(num_frames):
        frame = np.zeros((h, w, 3), np.uint8)
        frame[..., 0] = (np.arange(w) * 4 + i * 8) % 256
        frame[..., 1] = i * 8
        writer.write(frame)
    writer.release()


def test_online_decord_single_decode(tmp_path, monkeypatch):
    path = str(tmp_path / 'tiny.mp4')
    _write_mp4(path)

    calls = []
    orig = DecordDecode._decord_load_frames

    def spy(self, container, frame_inds):
        calls.append(np.array(frame_inds))
        return orig(self, container, frame_inds)

    monkeypatch.setattr(DecordDecode, '_decord_load_frames', spy)
    pipeline = [
        dict(type='DecordInit'),
        dict(type='SampleFramesWithNext', clip_len=4, frame_interval=4,
             test_mode=True),
        dict(type='DecordDecode'),
        dict(type='TemporalGradient'),
    ]
    results = dict(filename=path, start_index=0, modality='RGB')
    for cfg in pipeline:
        results = TRANSFORMS.build(cfg)(results)
    assert len(calls) == 1 and len(calls[0]) == 8
    base = results['frame_inds']
    assert len(base) == 4 and results['modality_layout'] == ('rgb', 'tg')

    import decord
    allf = decord.VideoReader(path).get_batch(list(range(30))).asnumpy()
    rgb, tg = results['imgs'][:4], results['imgs'][4:]
    for j, t in enumerate(base):
        np.testing.assert_array_equal(rgb[j], allf[t])
        np.testing.assert_array_equal(tg[j], _ref_tg(allf[t], allf[t + 1]))
    # the synthetic video moves, so TG is not the static value everywhere
    assert (tg[0] != 127).any()


def test_ltg_unlabeled_multiview_pipeline(tmp_path):
    """The intended LTG unlabeled pipeline: one decode, four views."""
    path = str(tmp_path / 'tiny.mp4')
    _write_mp4(path)

    def view(modality, strong):
        aug = [dict(type='VideoRandAugment', num_ops=2, magnitude=9)]
        return [dict(type='PickModality', modality=modality)] + \
            (aug if strong else []) + \
            [dict(type='FormatShape', input_format='NCTHW'),
             dict(type='PackActionInputs')]

    pipeline = [
        dict(type='DecordInit'),
        dict(type='SampleFramesWithNext', clip_len=4, frame_interval=4),
        dict(type='DecordDecode'),
        dict(type='TemporalGradient'),
        dict(type='Resize', scale=(-1, 40)),
        dict(type='RandomResizedCrop'),
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='MultiView', views=dict(
            weak=view('rgb', False), weak_tg=view('tg', False),
            strong=view('rgb', True), strong_tg=view('tg', True))),
    ]
    results = dict(filename=path, start_index=0, modality='RGB', label=3)
    # configs run with default_scope='mmssar'; MultiView builds its views
    # through mmcv's Compose, which resolves names in the default scope
    with DefaultScope.overwrite_default_scope('mmssar'):
        for cfg in pipeline:
            results = TRANSFORMS.build(cfg)(results)
    inputs = results['inputs']
    assert set(inputs) == {'weak', 'weak_tg', 'strong', 'strong_tg'}
    for x in inputs.values():
        assert tuple(x.shape) == (1, 3, 4, 32, 32)
    assert not torch.equal(inputs['weak'], inputs['weak_tg'])
    # TG of a mostly static synthetic video sits near 127, RGB does not
    assert abs(inputs['weak_tg'].float().mean().item() - 127) < 20
    assert results['data_samples'].gt_label.item() == 3


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_identical_crop_flip_on_rgb_and_tg(seed):
    video = _video()
    sampler = SampleFramesWithNext(clip_len=4, frame_interval=3)
    np.random.seed(seed)
    res = _sample_and_decode(video, sampler)
    res = TemporalGradient()(res)
    res = RandomResizedCrop()(res)
    res = Flip(flip_ratio=0.5)(res)
    x1, y1, x2, y2 = res['crop_bbox']
    flip = res['flip']

    def geo(img):
        img = img[y1:y2, x1:x2]
        return np.flip(img, axis=1) if flip else img

    rgb = PickModality('rgb')(dict(res))['imgs']
    tg = PickModality('tg')(dict(res))['imgs']
    assert len(rgb) == len(tg) == 4
    for j, t in enumerate(res['frame_inds']):
        np.testing.assert_array_equal(rgb[j], geo(video[t]))
        # TG of the cropped/flipped raw frames t, t+1 == cropped/flipped TG
        np.testing.assert_array_equal(
            tg[j], temporal_gradient(geo(video[t]), geo(video[t + 1])))


def test_resize_keeps_modalities_aligned():
    res = _sample_and_decode(_video(), SampleFramesWithNext(clip_len=4))
    res = TemporalGradient()(res)
    res = Resize(scale=(32, 24), keep_ratio=False)(res)
    rgb = PickModality('rgb')(dict(res))['imgs']
    tg = PickModality('tg')(dict(res))['imgs']
    assert all(x.shape == (24, 32, 3) for x in rgb + tg)


@pytest.mark.parametrize('modality', ['rgb', 'tg'])
def test_three_crop_multi_clip_format(modality):
    video = _video(num_frames=40, h=30, w=60)
    clip_len, num_clips = 3, 2
    sampler = SampleFramesWithNext(
        clip_len=clip_len, frame_interval=2, num_clips=num_clips,
        test_mode=True)
    joint = TemporalGradient()(_sample_and_decode(video, sampler))
    single = TemporalGradient(keep_rgb=(modality == 'rgb'))(
        _sample_and_decode(video, sampler))
    if modality == 'rgb':  # RGB-only reference: drop the TG half
        single = PickModality('rgb')(single)
    joint = ThreeCrop(crop_size=30)(joint)
    single = ThreeCrop(crop_size=30)(single)
    assert len(joint['imgs']) == 3 * 2 * clip_len * num_clips
    picked = PickModality(modality)(joint)
    np.testing.assert_array_equal(
        np.stack(picked['imgs']), np.stack(single['imgs']))
    out = FormatShape('NCTHW')(picked)
    assert out['imgs'].shape == (3 * num_clips, 3, clip_len, 30, 30)
    # crop 1 (right: x 30..60), clip 1, frame 0 of the formatted tensor
    t = picked['frame_inds'][clip_len]
    raw = video[t][:, 30:60]
    ref = raw if modality == 'rgb' else temporal_gradient(
        raw, video[t + 1][:, 30:60])
    np.testing.assert_array_equal(out['imgs'][1 * num_clips + 1][:, 0],
                                  ref.transpose(2, 0, 1))


def test_tg_only_and_float_mode():
    video = _video()
    res = _sample_and_decode(video, SampleFramesWithNext(clip_len=4))
    res = TemporalGradient(mode='float', keep_rgb=False)(res)
    assert res['modality_layout'] == ('tg', )
    res = Flip(flip_ratio=1.0)(res)
    out = FormatShape('NCTHW')(dict(res))
    assert out['imgs'].shape == (1, 3, 4, 40, 56)
    assert out['imgs'].dtype == np.float32
    t = res['frame_inds'][0]
    ref = np.flip(video[t].astype(np.float32) - video[t + 1], axis=1)
    np.testing.assert_array_equal(res['imgs'][0], ref)
    assert out['imgs'].min() < 0  # signed


def test_pick_modality_errors():
    with pytest.raises(KeyError, match='modality_layout'):
        PickModality('tg')(dict(imgs=[]))
    res = dict(imgs=[np.zeros((2, 2, 3))] * 5, modality_layout=('rgb', 'tg'),
               modality_len=2)
    with pytest.raises(ValueError, match='cannot be split'):
        PickModality('tg')(res)
    with pytest.raises(KeyError, match='flow'):
        PickModality('flow')(dict(res, imgs=res['imgs'][:4]))


def _load_tool(project_root, monkeypatch):
    path = osp.join(project_root, 'tools', 'data',
                    'extract_temporal_gradient.py')
    spec = importlib.util.spec_from_file_location('extract_tg_tool', path)
    mod = importlib.util.module_from_spec(spec)
    # registered so that worker processes can unpickle its functions
    monkeypatch.setitem(sys.modules, spec.name, mod)
    spec.loader.exec_module(mod)
    return mod


def _write_rawframes(root, videos, tmpl):
    for name, video in videos.items():
        folder = osp.join(root, name)
        os.makedirs(folder, exist_ok=True)
        for i, frame in enumerate(video):
            # cv2 writes BGR: store the RGB frame so that RGB readers get it
            cv2.imwrite(osp.join(folder, tmpl.format(i + 1)), frame[..., ::-1])


@pytest.mark.parametrize('workers', [1, 2])
def test_offline_extractor_matches_online(tmp_path, project_root, monkeypatch,
                                         workers):
    tool = _load_tool(project_root, monkeypatch)
    videos = {'cls_a/v1': _video(7, 20, 24, seed=3),
              'cls_b/v2': _video(5, 20, 24, seed=4)}
    src, dst = str(tmp_path / 'rgb'), str(tmp_path / 'tg')
    # PNG keeps the comparison exact (JPEG would add compression noise)
    _write_rawframes(src, videos, 'img_{:05}.png')
    n = tool.main(['--src', src, '--dst', dst, '--filename-tmpl',
                   'img_{:05}.png', '--workers', str(workers)])
    assert n == 12
    assert tool.main(['--src', src, '--dst', dst, '--filename-tmpl',
                      'img_{:05}.png']) == 0  # already done: skipped
    for name, video in videos.items():
        for k in range(len(video)):
            got = cv2.imread(osp.join(dst, name, f'img_{k + 1:05}.png'))
            nxt = video[min(k + 1, len(video) - 1)]
            np.testing.assert_array_equal(got[..., ::-1],
                                          _ref_tg(video[k], nxt))

    # loader: RawFrameDecode + offline TG == online TG on the same indices
    sampler = SampleFramesWithNext(clip_len=3, frame_interval=2,
                                   test_mode=True, decode_next=False)
    res = sampler(dict(total_frames=7, start_index=1,
                       frame_dir=osp.join(src, 'cls_a/v1'),
                       filename_tmpl='img_{:05}.png', modality='RGB'))
    assert len(res['frame_inds']) == 3
    res = RawFrameDecode()(res)
    res = LoadOfflineTemporalGradient(tg_prefix=dst, rgb_prefix=src)(res)
    assert res['modality_layout'] == ('rgb', 'tg')
    online = _sample_and_decode(
        videos['cls_a/v1'],
        SampleFramesWithNext(clip_len=3, frame_interval=2, test_mode=True),
        start_index=1)
    online = TemporalGradient()(online)
    np.testing.assert_array_equal(res['frame_inds'], online['frame_inds'])
    np.testing.assert_array_equal(np.stack(res['imgs']),
                                  np.stack(online['imgs']))


def test_offline_official_layout_jpeg(tmp_path, project_root, monkeypatch):
    tool = _load_tool(project_root, monkeypatch)
    video = _video(4, 16, 16, seed=5)
    src = str(tmp_path / 'frames')
    _write_rawframes(src, {'v': video}, 'img_{:05}.jpg')
    tool.main(['--src', src, '--dst', src, '--out-tmpl',
               'tempgrad_{:05}.jpg'])
    res = dict(frame_dir=osp.join(src, 'v'), filename_tmpl='img_{:05}.jpg',
               frame_inds=np.array([1, 3]), imgs=[video[0], video[2]])
    res = LoadOfflineTemporalGradient(filename_tmpl='tempgrad_{:05}.jpg',
                                      keep_rgb=False)(res)
    assert res['modality_layout'] == ('tg', ) and len(res['imgs']) == 2
    assert res['imgs'][0].shape == (16, 16, 3)
    with pytest.raises(FileNotFoundError, match='tempgrad_00009'):
        LoadOfflineTemporalGradient(filename_tmpl='tempgrad_{:05}.jpg')(
            dict(res, frame_inds=np.array([9]), imgs=[video[0]]))
    with pytest.raises(SystemExit):  # would overwrite the RGB frames
        tool.main(['--src', src, '--dst', src])
