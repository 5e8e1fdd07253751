"""SCD-Net downstream chain through tools/run_chain.py and the shipped CPU
configs: pre-train -> linear probe (frozen encoder, initialised from the
pre-trained `backbone.*`) -> kNN retrieval tool, on synthetic skeletons
(always) and on a small real NW-UCLA subset (when ../shared/data is
present); a rerun skips finished stages, an interrupted stage resumes.

The configs of configs/scdnet/cpu/ read their pickles from
``$MMSSAR_SKELETON_ROOT``; the tests point it at ``tmp_path`` and shorten
the schedules with ``--cfg-options``.
"""
import glob
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import set_random_seed

from mmssar.registry import MODELS
from mmssar.utils.chain import (DONE_FILE, ChainError, ChainRunner,
                                find_checkpoint, load_chain, stage_output)

CFG = 'configs/scdnet/cpu/{}_nwucla-xview.py'
TINY_ENCODER = dict(base_channels=4, d_model=16, num_heads=2)
CLASSES = 3
SHORT = ['train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
         'train_dataloader.batch_size=4']


def _write_pickles(root, annotations, per_class=2):
    """nwucla_3d.pkl + the labeled / unlabeled pickles the configs expect.

    ``annotations`` carry a ``view``; views 1-2 train, view 3 tests.
    """
    train = [a['frame_dir'] for a in annotations if a['view'] != 3]
    val = [a['frame_dir'] for a in annotations if a['view'] == 3]
    anns = [{k: v for k, v in a.items() if k != 'view'} for a in annotations]
    by_name = {a['frame_dir']: a for a in anns}
    labeled, counts = [], {}
    for name in train:
        label = by_name[name]['label']
        if counts.get(label, 0) < per_class:
            counts[label] = counts.get(label, 0) + 1
            labeled.append(name)
    unlabeled = [n for n in train if n not in labeled]

    def dump(fname, split, names):
        with open(osp.join(root, fname), 'wb') as f:
            pickle.dump(
                dict(split=split, annotations=[by_name[n] for n in names]), f)

    dump('nwucla_3d.pkl', dict(xview_train=train, xview_val=val), train + val)
    dump('nwucla_xview_10pc_labeled.pkl', dict(labeled=labeled), labeled)
    dump('nwucla_xview_10pc_unlabeled.pkl', dict(unlabeled=unlabeled),
         unlabeled)


def _synthetic_annotations(num_per_class=6):
    """Kinect-v1-shaped clips whose class sets the moving joints."""
    rng = np.random.default_rng(0)
    anns = []
    for label in range(CLASSES):
        for i in range(num_per_class):
            T = int(rng.integers(12, 30))
            base = rng.normal(0, 0.3, (20, 3))
            t = np.linspace(0, 2 * np.pi, T)[:, None]
            kp = np.repeat(base[None], T, axis=0)
            kp[:, 4 + 4 * label:8 + 4 * label, 0] += np.sin(t)
            anns.append(
                dict(frame_dir=f'syn_c{label}_{i}',
                     label=label,
                     total_frames=T,
                     keypoint=kp[None].astype(np.float32),
                     view=3 if i % 3 == 2 else 1))
    return anns


def _real_annotations(shared_data, per_class_view=2):
    from mmssar.datasets.skeleton_formats import (parse_nwucla_name,
                                                  read_nwucla_json)
    files = sorted(
        glob.glob(osp.join(shared_data, 'skeleton', 'nw_ucla', '*.json')))
    picked, counts = [], {}
    for path in files:
        info = parse_nwucla_name(osp.basename(path)[:-5])
        ann = read_nwucla_json(path)
        if ann['label'] >= CLASSES:
            continue
        key = (ann['label'], info['view'])
        if counts.get(key, 0) < per_class_view:
            counts[key] = counts.get(key, 0) + 1
            picked.append(dict(ann, view=info['view']))
    return picked


def _tiny_chain(project_root, path, stages):
    """A chain config at ``path`` over the shipped CPU configs."""
    cfg = osp.join(project_root, CFG)
    text = 'stages = [\n'
    for name, kind, extra in stages:
        text += f'    dict(name={name!r}, config={cfg.format(kind)!r}{extra}),\n'
    path.write_text(text + ']\n')
    return str(path)


def _backbone(ckpt):
    state = torch.load(ckpt, map_location='cpu',
                       weights_only=False)['state_dict']
    return {k[len('backbone.'):]: v for k, v in state.items()
            if k.startswith('backbone.')}


def _run_tool(project_root, chain, work_dir, root, *extra):
    env = dict(os.environ, MMSSAR_SKELETON_ROOT=str(root), OMP_NUM_THREADS='1',
               PYTHONPATH=project_root)
    proc = subprocess.run(
        [sys.executable, osp.join(project_root, 'tools', 'run_chain.py'),
         chain, '--work-dir', str(work_dir), '--cfg-options', *SHORT, *extra],
        cwd=project_root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(pair.split('=') for pair in
                proc.stdout.strip().splitlines()[-1].split())


def _check_pretrain_linear_knn(work_dir):
    """The frozen linear probe holds exactly the pre-trained encoder."""
    pre = _backbone(find_checkpoint(str(work_dir / 'pretrain')))
    lin = _backbone(find_checkpoint(str(work_dir / 'linear')))
    assert set(lin) == set(pre)
    for key, value in pre.items():  # incl. BN running statistics
        torch.testing.assert_close(lin[key], value, msg=key)
    line = stage_output(str(work_dir), 'knn1_full').strip().splitlines()[-1]
    assert line.startswith('knn1_top1=')
    assert 0 <= float(line.split('=')[1]) <= 100


@pytest.mark.slow
def test_chain_end_to_end_through_the_tool(project_root, tmp_path):
    root = tmp_path / 'data'
    root.mkdir()
    _write_pickles(str(root), _synthetic_annotations())
    knn = (", command=['{python}', 'tools/misc/knn_eval.py', "
           "'{config:linear}', '--checkpoint', '{checkpoint:pretrain}', "
           "'--k', '1', '{cfg_options}']")
    chain = _tiny_chain(project_root, tmp_path / 'chain.py', [
        ('pretrain', 'scdnet-cpu_pretrain', ''),
        ('linear', 'scdnet-cpu_linear_10shot',
         ", init_from=dict(stage='pretrain', prefix='backbone.')"),
    ])
    # a command stage: the kNN tool on the pre-trained checkpoint
    text = open(chain).read().replace(
        ']\n', f"    dict(name='knn1_full'{knn}),\n]\n")
    with open(chain, 'w') as f:
        f.write(text)
    wd = tmp_path / 'wd'
    report = _run_tool(project_root, chain, wd, root)
    assert report == dict(pretrain='ran', linear='ran', knn1_full='ran')
    _check_pretrain_linear_knn(wd)
    # not a coincidence of two equal random initialisations: the linear
    # model built from the same seed without the chain's init differs
    cfg = Config.fromfile(osp.join(project_root,
                                   CFG.format('scdnet-cpu_linear_10shot')))
    set_random_seed(0)
    with DefaultScope.overwrite_default_scope('mmssar'):
        fresh = MODELS.build(cfg.model)
    fresh.init_weights()
    pre = _backbone(find_checkpoint(str(wd / 'pretrain')))
    assert any(not torch.equal(v, pre[k])
               for k, v in fresh.backbone.state_dict().items())

    # rerun: every stage is finished, nothing is trained again
    stamps = {p: os.stat(p).st_mtime for p in glob.glob(str(wd / '*' / '*'))}
    report = _run_tool(project_root, chain, wd, root)
    assert report == dict(pretrain='skipped', linear='skipped',
                          knn1_full='skipped')
    assert stamps == {p: os.stat(p).st_mtime
                      for p in glob.glob(str(wd / '*' / '*'))}


CRASH_HOOK = """from mmengine.hooks import Hook
from mmengine.registry import HOOKS
import os


@HOOKS.register_module()
class CrashWhileFlagged(Hook):
    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == {at} and os.path.exists({flag!r}):
            raise RuntimeError('interrupted on purpose')
"""


@pytest.mark.slow
def test_interrupted_stage_resumes(project_root, tmp_path, monkeypatch):
    """A stage killed after its iteration-2 checkpoint continues from it on
    the next run (not from scratch, not from the init checkpoint)."""
    root = tmp_path / 'data'
    root.mkdir()
    _write_pickles(str(root), _synthetic_annotations())
    flag = tmp_path / 'FLAG'
    (tmp_path / 'crash_hook.py').write_text(
        CRASH_HOOK.format(at=2, flag=str(flag)))
    base = osp.join(project_root, CFG.format('scdnet-cpu_finetune_10shot'))
    (tmp_path / 'ft.py').write_text(
        f'_base_ = [{base!r}]\n'
        "custom_imports = dict(imports=['mmssar', 'crash_hook'], "
        'allow_failed_imports=False)\n'
        "custom_hooks = [dict(type='CrashWhileFlagged')]\n")
    (tmp_path / 'chain.py').write_text(
        "stages = [dict(name='ft', config='./ft.py', "
        f"env=dict(PYTHONPATH={str(tmp_path)!r}))]\n")
    monkeypatch.setenv('MMSSAR_SKELETON_ROOT', str(root))
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    monkeypatch.syspath_prepend(str(tmp_path))
    options = ['train_cfg.max_iters=4', 'train_cfg.val_interval=4',
               'default_hooks.logger.interval=1',
               'default_hooks.checkpoint.interval=2',
               'train_dataloader.batch_size=4']

    def runner():
        return ChainRunner(load_chain(str(tmp_path / 'chain.py')),
                           str(tmp_path / 'wd'), cfg_options=options,
                           root=project_root, log=lambda msg: None)

    flag.write_text('')
    with pytest.raises(ChainError, match="stage 'ft' failed"):
        runner().run()
    wd = tmp_path / 'wd' / 'ft'
    assert not (wd / DONE_FILE).exists()
    assert find_checkpoint(str(wd)) == str(wd / 'iter_2.pth')
    flag.unlink()
    assert runner().run() == dict(ft='resumed')
    assert (wd / DONE_FILE).exists()
    # the second run trained iterations 3-4 only
    runs = sorted(glob.glob(str(wd / '*' / 'vis_data' / 'scalars.json')))
    with open(runs[-1]) as f:
        iters = [json.loads(line)['iter'] for line in f
                 if 'loss' in line]
    assert iters and min(iters) > 2 and max(iters) == 4
    assert 'resumed' in (wd / 'chain_stdout.log').read_text().lower()


@pytest.mark.slow
def test_shipped_cpu_chain_on_real_nwucla_subset(project_root, shared_data,
                                                 tmp_path):
    root = tmp_path / 'data'
    root.mkdir()
    anns = _real_annotations(shared_data)
    assert {a['view'] for a in anns} == {1, 2, 3}
    _write_pickles(str(root), anns)
    chain = osp.join(project_root, CFG.format('scdnet-cpu_chain'))
    report = _run_tool(project_root, chain, tmp_path / 'wd', root,
                       '--stages', 'pretrain', 'linear', 'knn1_full')
    assert report == dict(pretrain='ran', linear='ran', knn1_full='ran')
    _check_pretrain_linear_knn(tmp_path / 'wd')


def test_knn_tool_rejects_missing_prefix(project_root, tmp_path):
    sys.path.insert(0, osp.join(project_root, 'tools', 'misc'))
    try:
        import knn_eval
    finally:
        sys.path.pop(0)
    ckpt = tmp_path / 'bad.pth'
    torch.save(dict(state_dict={'encoder.w': torch.zeros(1)}), ckpt)
    cfg = Config.fromfile(
        osp.join(project_root, CFG.format('scdnet-cpu_linear_10shot')))
    cfg.merge_from_dict(dict(model=dict(backbone=TINY_ENCODER)))
    with pytest.raises(KeyError, match='no key starts with'):
        knn_eval.build_model(cfg, str(ckpt))


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


@pytest.mark.slow
@pytest.mark.dist
def test_chain_stage_through_dist_train(project_root, tmp_path,
                                        monkeypatch):
    """A stage launched with tools/dist_train.sh (2 gloo CPU processes)
    after a single-process stage, initialised from it."""
    root = tmp_path / 'data'
    root.mkdir()
    _write_pickles(str(root), _synthetic_annotations())
    chain = _tiny_chain(project_root, tmp_path / 'chain.py', [
        ('pretrain', 'scdnet-cpu_pretrain', ", launcher='none'"),
        ('finetune', 'scdnet-cpu_finetune_10shot',
         ", init_from=dict(stage='pretrain', prefix='backbone.')"),
    ])
    monkeypatch.setenv('MMSSAR_SKELETON_ROOT', str(root))
    runner = ChainRunner(load_chain(chain), str(tmp_path / 'wd'),
                         launcher='pytorch', gpus=2, cfg_options=SHORT,
                         root=project_root, log=lambda msg: None,
                         env=dict(PORT=_free_port(), OMP_NUM_THREADS='1'))
    assert runner.run() == dict(pretrain='ran', finetune='ran')
    log = (tmp_path / 'wd' / 'finetune' / 'chain_stdout.log').read_text()
    assert 'Distributed launcher: pytorch' in log
    assert "load_from='" in log or 'Load checkpoint from' in log
    record = json.loads(
        (tmp_path / 'wd' / 'finetune' / DONE_FILE).read_text())
    assert record['command'][1].endswith('dist_train.sh')
    assert record['command'][3] == '2'
