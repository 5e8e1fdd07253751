"""An exported teacher runs under MMAction2's own inference API, and
tools/misc/infer.py prints its top-5 with class names."""
import importlib.util
import os.path as osp

import pytest
import torch
from engine_utils import ROOT, TINY_CFG
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS
from mmssar.utils.checkpoint import export_recognizer
from mmssar.utils.inference import (plain_recognizer_cfg, read_label_map,
                                    topk_classes)


@pytest.fixture
def exported(tiny_synth, tmp_path, monkeypatch):
    """An SSL checkpoint whose teacher differs from its student, exported
    as the teacher."""
    monkeypatch.setenv('MMSSAR_SYNTH_ROOT', tiny_synth)
    cfg = Config.fromfile(TINY_CFG)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    with torch.no_grad():
        for p in model.teacher.module.parameters():
            p.add_(0.5 * torch.randn_like(p))
    src, dst = str(tmp_path / 'iter_3.pth'), str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(iter=3)), src)
    export_recognizer(src, dst, 'teacher')
    video = osp.join(tiny_synth, open(osp.join(
        tiny_synth, 'val.txt')).readline().split()[0])
    return cfg, model, dst, video


def _scores(recognizer, cfg, video):
    from mmengine.dataset import Compose, pseudo_collate
    with DefaultScope.overwrite_default_scope('mmssar'):
        data = Compose(cfg.test_pipeline)(
            dict(filename=video, label=-1, start_index=0, modality='RGB'))
    recognizer.eval()
    with torch.no_grad():
        return recognizer.test_step(pseudo_collate([data]))[0].pred_score


def test_mmaction_inference_api_runs_the_exported_teacher(exported):
    from mmaction.apis import inference_recognizer, init_recognizer
    cfg, ssl_model, ckpt, video = exported
    plain = plain_recognizer_cfg(cfg)
    assert plain.model.type == ssl_model.student.__class__.__name__
    recognizer = init_recognizer(plain, ckpt, device='cpu')
    teacher = ssl_model.teacher.module
    state = recognizer.state_dict()
    assert set(state) == set(teacher.state_dict())
    for key, value in teacher.state_dict().items():
        assert torch.equal(state[key], value), key
    result = inference_recognizer(recognizer, video)
    assert result.pred_score.shape == (4, )
    expected = _scores(teacher, plain, video)
    assert torch.allclose(result.pred_score, expected, atol=1e-5)
    # the teacher, not the student, is what was exported
    student = _scores(ssl_model.student, plain, video)
    assert not torch.allclose(result.pred_score, student, atol=1e-3)


def _infer_main():
    path = osp.join(ROOT, 'tools', 'misc', 'infer.py')
    spec = importlib.util.spec_from_file_location('mmssar_infer_tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_infer_tool_prints_top5_with_names(exported, tiny_synth, capsys):
    cfg, ssl_model, ckpt, video = exported
    classes = osp.join(tiny_synth, 'classes.txt')
    names = read_label_map(classes)
    main = _infer_main()
    assert main([video, TINY_CFG, ckpt, '--label-map', classes]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # (MMEngine prints a 'Loads checkpoint ...' line first)
    lines = lines[[ln.startswith('top-') for ln in lines].index(True):]
    assert lines[0] == f'top-4 for {video}:'  # 4 classes < 5
    expected = topk_classes(
        _scores(ssl_model.teacher.module, plain_recognizer_cfg(cfg), video),
        5, names)
    assert [ln.split(' (')[0] for ln in lines[1:]] == [
        f'{rank}. {name}' for rank, (_, name, _) in enumerate(expected, 1)
    ]
    scores = [float(ln.rsplit(': ', 1)[1]) for ln in lines[1:]]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(expected[0][2], abs=1e-4)
    # default label map: classes.txt of the config's data_root
    assert main([video, TINY_CFG, ckpt]) == 0
    assert names[expected[0][0]] in capsys.readouterr().out


def test_infer_tool_refuses_bad_input(exported, tmp_path, capsys):
    cfg, ssl_model, ckpt, video = exported
    main = _infer_main()
    assert main([str(tmp_path / 'x.mp4'), TINY_CFG, ckpt]) == 2
    assert 'video not found' in capsys.readouterr().err
    short = tmp_path / 'names.txt'
    short.write_text('a\nb\n')
    assert main([video, TINY_CFG, ckpt, '--label-map', str(short)]) == 2
    assert 'has 2 names, the model 4 classes' in capsys.readouterr().err
    # a checkpoint of another architecture is refused, keys named
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'backbone.nothing': torch.zeros(1)}), other)
    with pytest.raises(RuntimeError, match='missing keys'):
        main([video, TINY_CFG, str(other)])


def test_topk_classes():
    scores = torch.tensor([0.1, 0.5, 0.2, 0.15, 0.05, 0.0])
    assert [i for i, _, _ in topk_classes(scores)] == [1, 2, 3, 0, 4]
    assert topk_classes(scores, 2, list('abcdef'))[0] == (1, 'b',
                                                          pytest.approx(.5))
    with pytest.raises(ValueError, match='beyond the label map'):
        topk_classes(scores, 1, ['a'])
