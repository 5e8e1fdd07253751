"""Stage chains (mmssar/utils/chain.py): config validation, checkpoint
selection, prefix-extracted initialisation, command lines per launcher, and
skip / resume / restart, with a stand-in for tools/train.py (no training;
the end-to-end runs are in tests/test_scdnet/test_chain.py)."""
import argparse
import glob
import json
import os.path as osp
import stat
import sys

import pytest
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope

from mmssar.registry import MODELS
from mmssar.utils.chain import (DONE_FILE, ChainError, ChainRunner,
                                check_init, find_checkpoint, flatten_options,
                                load_chain, parse_stages, select_prefix,
                                write_init_checkpoint)

STGCN = 'configs/_base_/models/stgcn_tiny_kinect20.py'


def _config(tmp_path, project_root, name='model.py'):
    path = tmp_path / name
    path.write_text(f"_base_ = [{osp.join(project_root, STGCN)!r}]\n"
                    "default_scope = 'mmssar'\n")
    return str(path)


@pytest.mark.parametrize('stages, message', [
    ([], 'non-empty list'),
    ([dict(name='a', config='m.py', foo=1)], "unknown keys ['foo']"),
    ([dict(name='a b', config='m.py')], '`name`'),
    ([dict(name='a', config='m.py'), dict(name='a', command=['x'])],
     'used twice'),
    ([dict(name='a', config='m.py', command=['x'])], 'exactly one of'),
    ([dict(name='a', config='missing.py')], 'not found'),
    ([dict(name='a', command='echo hi')], 'list of strings'),
    ([dict(name='a', config='m.py', init_from=dict(stage='b'))],
     'not an earlier stage'),
    ([dict(name='a', command=['{checkpoint:a}'])], 'not an earlier stage'),
    ([dict(name='a', config='m.py', init_from=dict(ckpt='last'))],
     'needs `stage`'),
    ([dict(name='a', config='m.py', launcher='mpi')], 'launcher'),
    ([dict(name='a', config='m.py', gpus=0)], 'positive integer'),
    ([dict(name='a', config='m.py', cfg_options={'x': 'a,b'})],
     'cannot pass through'),
    ([dict(name='a', config='m.py', cfg_options={'x': [dict(y=1)]})],
     'only numbers'),
])
def test_bad_chains_are_refused_naming_file_and_stage(tmp_path, stages,
                                                       message):
    (tmp_path / 'm.py').write_text('x = 1\n')
    source = str(tmp_path / 'my_chain.py')
    with pytest.raises(ChainError) as err:
        parse_stages(stages, source)
    assert message in str(err.value)
    assert 'my_chain.py' in str(err.value)


def test_load_chain_reads_a_config_file(tmp_path, project_root):
    _config(tmp_path, project_root)
    chain = tmp_path / 'chain.py'
    chain.write_text(
        "stages = [dict(name='a', config='./model.py'),\n"
        "          dict(name='b', config='./model.py', env=dict(S=3),\n"
        "               init_from=dict(stage='a', prefix='backbone.'))]\n")
    a, b = load_chain(str(chain))
    assert a.config == b.config == str(tmp_path / 'model.py')
    assert b.init_from.stage == 'a' and b.init_from.checkpoint == 'last'
    assert b.env == dict(S='3') and b.depends_on == ['a']
    # a training config is not a chain
    with pytest.raises(ChainError, match='defines .stages = '):
        load_chain(str(tmp_path / 'model.py'))


def test_find_checkpoint(tmp_path):
    wd = tmp_path / 'run'
    wd.mkdir()
    with pytest.raises(ChainError, match='no `last_checkpoint`'):
        find_checkpoint(str(wd), 'last')
    for name in ('iter_2.pth', 'iter_4.pth', 'best_acc_top1_iter_2.pth'):
        (wd / name).write_bytes(b'')
    # MMEngine writes the path as the run saw it; a moved dir still works
    (wd / 'last_checkpoint').write_text('/elsewhere/run/iter_4.pth')
    assert find_checkpoint(str(wd), 'last') == str(wd / 'iter_4.pth')
    assert find_checkpoint(str(wd), 'best') == str(
        wd / 'best_acc_top1_iter_2.pth')
    assert find_checkpoint(str(wd), 'iter_2.pth') == str(wd / 'iter_2.pth')
    with pytest.raises(ChainError, match='exactly one'):
        find_checkpoint(str(wd), 'iter_*.pth')
    (wd / 'best_acc_top5_iter_4.pth').write_bytes(b'')
    with pytest.raises(ChainError, match='exactly one'):
        find_checkpoint(str(wd), 'best')
    with pytest.raises(ChainError, match='save_best'):
        find_checkpoint(str(tmp_path), 'best')


def test_select_prefix():
    state = {'backbone.a': 1, 'backbone.b.c': 2, 'key_encoder.a': 3}
    assert select_prefix(state, 'backbone.') == {
        'backbone.a': 1, 'backbone.b.c': 2}
    assert select_prefix(state, 'backbone.', 'student.backbone.') == {
        'student.backbone.a': 1, 'student.backbone.b.c': 2}
    assert select_prefix(state, '') == state
    with pytest.raises(ChainError, match="'encoder.'.*'backbone.'"):
        select_prefix(state, 'encoder.')


def _build(config):
    cfg = Config.fromfile(config)
    with DefaultScope.overwrite_default_scope('mmssar'):
        return MODELS.build(cfg.model)


def test_prefix_init_changes_only_the_selected_weights(tmp_path,
                                                       project_root):
    """A pre-trainer-like checkpoint (encoder + other networks) initialises
    only the backbone of the next stage's model, through load_from's way of
    loading (strict=False)."""
    config = _config(tmp_path, project_root)
    torch.manual_seed(0)
    source = _build(config)
    state = {f'backbone.{k}': v + 1.0 for k, v in
             source.backbone.state_dict().items() if v.is_floating_point()}
    state.update({f'key_encoder.{k}': v for k, v in state.items()})
    torch.save(dict(state_dict=state, meta={}), tmp_path / 'pre.pth')
    num = write_init_checkpoint(str(tmp_path / 'pre.pth'),
                                str(tmp_path / 'init.pth'), 'backbone.')
    assert num == len(state) // 2
    check_init(config, {}, str(tmp_path / 'init.pth'))

    torch.manual_seed(1)
    target = _build(config)
    head = target.cls_head.fc.weight.detach().clone()
    name = 'data_bn.weight'
    before = target.backbone.state_dict()[name].clone()
    assert not torch.equal(before, state[f'backbone.{name}'])
    init = torch.load(tmp_path / 'init.pth', weights_only=False)
    result = target.load_state_dict(init['state_dict'], strict=False)
    assert not result.unexpected_keys
    after = target.backbone.state_dict()
    for key, value in state.items():
        if key.startswith('backbone.'):
            torch.testing.assert_close(after[key[len('backbone.'):]], value)
    assert torch.equal(target.cls_head.fc.weight, head)

    # a target prefix the model does not have is caught before training
    write_init_checkpoint(str(tmp_path / 'pre.pth'),
                          str(tmp_path / 'bad.pth'), 'backbone.', 'encoder.')
    with pytest.raises(ChainError, match='no place in the model'):
        check_init(config, {}, str(tmp_path / 'bad.pth'))
    with pytest.raises(ChainError, match='no key starts with'):
        write_init_checkpoint(str(tmp_path / 'pre.pth'),
                              str(tmp_path / 'x.pth'), 'student.')


def test_plain_backbone_init_reaches_fixmatch_student_and_teacher(
        tmp_path, project_root):
    config = osp.join(project_root, 'configs', 'quickstart',
                      'fixmatch_stgcn-tiny_1500it_nwucla-xview-10shot.py')
    model = _build(config)
    state = {f'backbone.{k}': torch.full_like(v, 0.5) for k, v in
             model.student.backbone.state_dict().items()
             if v.is_floating_point()}
    torch.save(dict(state_dict=state), tmp_path / 'init.pth')
    check_init(config, {}, str(tmp_path / 'init.pth'))
    model.load_state_dict(state, strict=False)
    w = 'data_bn.weight'
    assert torch.all(model.student.backbone.state_dict()[w] == 0.5)
    assert torch.all(model.teacher.module.backbone.state_dict()[w] == 0.5)


def test_flatten_options_round_trip():
    options = {'train_cfg': {'max_iters': 2, 'val_interval': None},
               'model.backbone.frozen': True, 'lr': 1e-3,
               'ann': 'data/x_labeled.pkl', 'ids': [1, 2], 'pair': (3, 4)}
    flat = flatten_options(options)
    assert 'train_cfg.max_iters=2' in flat
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    parsed = parser.parse_args(['--o', *flat]).o
    assert parsed == {'train_cfg.max_iters': 2, 'train_cfg.val_interval': None,
                      'model.backbone.frozen': True, 'lr': 1e-3,
                      'ann': 'data/x_labeled.pkl', 'ids': [1, 2],
                      'pair': [3, 4]}  # as --cfg-options gives it


def _stages(tmp_path, project_root, **b):
    config = _config(tmp_path, project_root)
    return parse_stages([
        dict(name='a', config=config),
        dict(name='b', config=config,
             init_from=dict(stage='a', checkpoint='last'), **b),
        dict(name='c', command=['{python}', '-c', 'print(1)', '{cfg_options}',
                                '{config:b}', '{work_dir}']),
        dict(name='d', command=['{checkpoint:b:best}']),
        dict(name='e', command=['{nope}']),
    ], str(tmp_path / 'chain.py'))


def test_command_lines_per_launcher(tmp_path, project_root):
    stages = _stages(tmp_path, project_root,
                     cfg_options=dict(train_cfg=dict(max_iters=4)))
    wd = str(tmp_path / 'wd')
    runner = ChainRunner(stages, wd, cfg_options=['x=1', 'b:y=2'],
                         python='PY', root='/R')
    b = runner.by_name['b']
    cmd, env = runner.command(b, '/ck.pth', resume=False)
    assert cmd == ['PY', '/R/tools/train.py', b.config, '--work-dir',
                   osp.join(wd, 'b'), '--cfg-options', 'train_cfg.max_iters=4',
                   'x=1', 'y=2', 'load_from=/ck.pth']
    # resuming: MMEngine finds the checkpoint itself; a load_from would
    # make it resume from the init checkpoint instead
    cmd, _ = runner.command(b, '/ck.pth', resume=True)
    assert '--resume' in cmd and not any('load_from' in a for a in cmd)
    # a stage-specific option stays with its stage
    cmd, _ = runner.command(runner.by_name['a'], None, resume=False)
    assert cmd[-2:] == ['--cfg-options', 'x=1']

    runner = ChainRunner(stages, wd, launcher='pytorch', gpus=4, python='PY',
                         root='/R')
    cmd, env = runner.command(b, None, resume=False)
    assert cmd[:4] == ['bash', '/R/tools/dist_train.sh', b.config, '4']
    assert env['PYTHON'] == 'PY'

    runner = ChainRunner(stages, wd, launcher='slurm', gpus=16, root='/R')
    with pytest.raises(ChainError, match='partition'):
        runner.command(b, None, resume=False)
    runner.partition = 'gpu'
    cmd, env = runner.command(b, None, resume=False)
    assert cmd[:5] == ['bash', '/R/tools/slurm_train.sh', 'gpu', 'wd-b',
                       b.config]
    assert env['GPUS'] == '16' and env['GPUS_PER_NODE'] == '8'

    with pytest.raises(ChainError, match='names no stage'):
        ChainRunner(stages, wd, cfg_options=['z:y=2'])


def test_init_placeholder_in_options_replaces_load_from(tmp_path,
                                                        project_root):
    stages = _stages(tmp_path, project_root,
                     cfg_options={'model.teacher.checkpoint': '{init}'})
    runner = ChainRunner(stages, str(tmp_path / 'wd'))
    cmd, _ = runner.command(runner.by_name['b'], '/ck.pth', resume=False)
    assert 'model.teacher.checkpoint=/ck.pth' in cmd
    assert not any(a.startswith('load_from') for a in cmd)
    cmd, _ = runner.command(runner.by_name['c'], None, resume=False)
    assert '--cfg-options' not in cmd  # {cfg_options} with none: nothing
    assert cmd[-2:] == [runner.by_name['b'].config, str(tmp_path / 'wd' / 'c')]
    with pytest.raises(ChainError, match="stage 'b' has not finished"):
        runner.command(runner.by_name['d'], None, resume=False)
    with pytest.raises(ChainError, match=r"stage 'e': unknown placeholder"):
        runner.command(runner.by_name['e'], None, resume=False)


FAKE_TRAIN = '''#!{python}
"""Stands in for `python tools/train.py CONFIG --work-dir WD ...`: records
its arguments, dumps the config with its options (as MMEngine does), writes
two checkpoints, and fails after the first one while the file CRASH
exists."""
import argparse, json, os, os.path as osp, sys
from mmengine.config import Config, DictAction
args = sys.argv[1:]
wd = args[args.index('--work-dir') + 1]
os.makedirs(wd, exist_ok=True)
cfg = Config.fromfile(args[1])  # args[0] is tools/train.py
if '--cfg-options' in args:
    opts = args[args.index('--cfg-options') + 1:]
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options', *opts]).cfg_options)
cfg.dump(osp.join(wd, osp.basename(args[1])))
with open(osp.join(wd, 'calls.jsonl'), 'a') as f:
    f.write(json.dumps(args) + '\\n')
for it in (1, 2):
    if it == 2 and osp.exists({crash!r}):
        sys.exit(3)
    with open(osp.join(wd, f'iter_{{it}}.pth'), 'w') as f:
        f.write(' '.join(args))
    with open(osp.join(wd, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(wd, f'iter_{{it}}.pth'))
'''


def _calls(wd, name):
    path = osp.join(wd, name, 'calls.jsonl')
    if not osp.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def test_skip_resume_restart(tmp_path, project_root):
    fake = tmp_path / 'fake_python'
    crash = tmp_path / 'CRASH'
    fake.write_text(FAKE_TRAIN.format(python=sys.executable,
                                      crash=str(crash)))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    config = _config(tmp_path, project_root)
    out = tmp_path / 'c.txt'
    spec = [
        dict(name='a', config=config),
        dict(name='b', config=config, init_from=dict(stage='a')),
        # a tool step that reads b's checkpoint (run by the real python)
        dict(name='c', command=[
            sys.executable, '-c',
            f'import sys; open({str(out)!r}, "w").write(sys.argv[1])',
            '{checkpoint:b}'
        ]),
    ]
    chain = str(tmp_path / 'chain.py')
    wd = str(tmp_path / 'wd')

    def runner(stages=spec):
        return ChainRunner(parse_stages(stages, chain), wd, python=str(fake),
                           check_init=False, log=lambda msg: None)

    # 1. b is interrupted after its first checkpoint
    runner().run(only=['a'])
    crash.write_text('')
    with pytest.raises(ChainError, match="stage 'b' failed"):
        runner().run()
    r = runner()
    assert [r.state(s) for s in r.stages] == ['done', 'partial', 'pending']
    assert not osp.exists(osp.join(wd, 'b', DONE_FILE))
    first = _calls(wd, 'b')[0]
    assert first[-1] == 'load_from=' + osp.join(wd, 'a', 'iter_2.pth')

    # 2. rerun: a skipped, b resumed (no load_from), c runs on b's result
    crash.unlink()
    report = runner().run()
    assert report == dict(a='skipped', b='resumed', c='ran')
    assert len(_calls(wd, 'a')) == 1
    resumed = _calls(wd, 'b')[1]
    assert '--resume' in resumed
    assert not any(a.startswith('load_from') for a in resumed)
    assert out.read_text() == osp.join(wd, 'b', 'iter_2.pth')

    # 3. everything finished: nothing runs again
    assert runner().run() == dict(a='skipped', b='skipped', c='skipped')
    assert len(_calls(wd, 'b')) == 2

    # 4. a finished stage whose spec changed is not silently reused
    changed = [dict(spec[0], cfg_options={'lr': 0.1})] + spec[1:]
    with pytest.raises(ChainError, match='--restart a'):
        runner(changed).run()

    # 5. --restart: the stage and every stage reading from it run anew,
    #    their old work dirs kept aside
    r = runner()
    assert r.restart(['b']) == ['b', 'c']
    assert len(glob.glob(osp.join(wd, 'b.old-*'))) == 1
    assert runner().run() == dict(a='skipped', b='ran', c='ran')
    assert _calls(wd, 'b')[0][-1].startswith('load_from=')

    # 6. an edit of the config file after the runs: its finished stages are
    #    stale, not skipped
    with open(config, 'a') as f:
        f.write('extra_setting = 1\n')
    with pytest.raises(ChainError, match=r"another config .*extra_setting"):
        runner().run()


def test_shipped_chain_configs(project_root, tmp_path):
    """Every chain under configs/ parses; a dry run lists every stage; each
    downstream training stage of SCD-Net starts from the pre-trained
    encoder."""
    chains = sorted(
        p for p in glob.glob(osp.join(project_root, 'configs', '**',
                                      '*chain*.py'), recursive=True)
        if '_base_' not in p)
    scdnet = [p for p in chains if 'scdnet' in osp.basename(p)]
    assert len(scdnet) == 9 and len(chains) > len(scdnet)
    for path in chains:
        stages = load_chain(path)
        report = ChainRunner(stages, str(tmp_path / 'wd'),
                             log=lambda m: None).run(dry_run=True)
        assert set(report) == {s.name for s in stages}
        if path not in scdnet:
            continue
        assert stages[0].name == 'pretrain'
        # the controls start from a random encoder
        controls = {'scratch', 'linear_random'}
        for stage in stages[1:]:
            if stage.config and stage.name not in controls:
                assert stage.init_from.stage == 'pretrain', stage.name
                assert stage.init_from.prefix == 'backbone.'
            elif stage.name in controls:
                assert stage.init_from is None, stage.name
    assert not (tmp_path / 'wd').exists()  # a dry run writes nothing


def test_chain_vars_are_substituted_and_inherited(tmp_path):
    from mmssar.utils.chain import ChainError, load_chain
    (tmp_path / 'base.py').write_text(
        "chain_vars = dict(data='a.txt', iters=None, cfg='./x.py')\n"
        "stages = [dict(name='s', config='${cfg}', cfg_options={\n"
        "    'train_cfg.max_iters': '${iters}',\n"
        "    'ann': 'data/${data}', 'both': ['${data}', '{work_dir}']})]\n")
    (tmp_path / 'leaf.py').write_text(
        "_base_ = './base.py'\nchain_vars = dict(iters=7, data='b.txt')\n")
    (tmp_path / 'x.py').write_text('')
    (stage, ) = load_chain(str(tmp_path / 'leaf.py'))
    opts = stage.cfg_options
    assert opts['train_cfg.max_iters'] == 7  # a whole ${name} keeps its type
    assert opts['ann'] == 'data/b.txt'
    # runtime placeholders ({work_dir}) are left for the runner
    assert opts['both'] == ['b.txt', '{work_dir}']
    assert stage.config.endswith('x.py')
    (tmp_path / 'bad.py').write_text(
        "stages = [dict(name='s', config='${nope}')]\n")
    with pytest.raises(ChainError, match=r'\$\{nope\}.*chain_vars'):
        load_chain(str(tmp_path / 'bad.py'))
