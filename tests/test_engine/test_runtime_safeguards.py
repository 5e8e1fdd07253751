"""What a config can leave out or get wrong is fixed (and said) or refused:
a missing EMATeacherHook, an epoch-based stock recipe in the iteration loop,
validation metrics at step 0, a stray log line, poisoned checkpoints and
--resume next to load_from (issue 10, points 1, 2, 3, 5, 9)."""
import glob
import json
import os.path as osp
import sys
from types import SimpleNamespace

import pytest
import torch
from engine_utils import ROOT, TINY_CFG, run_tool

TRAIN = [sys.executable, osp.join(ROOT, 'tools', 'train.py')]
CFG_DIR = osp.join(ROOT, 'tests', 'data', 'configs')


def _records(work_dir):
    out = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            out += [json.loads(line) for line in f]
    return out


@pytest.fixture(scope='module')
def no_hook_run(tiny_synth, tmp_path_factory):
    """The tiny FixMatch run with custom_hooks replaced by an empty list,
    logging every 5 iterations and validating every 3."""
    work = str(tmp_path_factory.mktemp('no_hook'))
    proc = run_tool(TRAIN + [TINY_CFG, '--work-dir', work, '--cfg-options',
                             'custom_hooks=[]', 'train_cfg.val_interval=3',
                             'default_hooks.logger.interval=5'], tiny_synth)
    return work, proc.stdout + proc.stderr


def test_missing_ema_teacher_hook_is_installed(no_hook_run):
    work, log = no_hook_run
    assert 'no EMATeacherHook is registered' in log
    state = torch.load(osp.join(work, 'iter_6.pth'),
                       weights_only=False)['state_dict']
    # one EMA step per iteration: the teacher followed the student
    assert int(state['teachers.teacher.steps']) == 6


def test_ensure_ema_teacher_contract():
    from mmssar.engine.hooks import EMATeacherHook, ensure_ema_teacher

    class Runner(SimpleNamespace):

        def register_hook(self, hook):
            self.hooks.append(hook)

    class WithTeacher(torch.nn.Module):
        teacher = torch.nn.Linear(1, 1)

        def update_teacher(self):
            pass

    class Flagged(WithTeacher):
        has_ema_teacher = False  # the model's own answer wins

    runner = Runner(model=WithTeacher(), hooks=[])
    assert ensure_ema_teacher(runner)
    assert isinstance(runner.hooks[0], EMATeacherHook)
    assert not ensure_ema_teacher(runner)  # idempotent
    assert len(runner.hooks) == 1
    for model in (Flagged(), torch.nn.Linear(1, 1)):
        runner = Runner(model=model, hooks=[])
        assert not ensure_ema_teacher(runner)
        assert runner.hooks == []


def test_validation_metrics_are_logged_at_their_iteration(no_hook_run):
    work, _ = no_hook_run
    steps = [r['step'] for r in _records(work) if 'acc/teacher_top1' in r]
    assert steps == [3, 6]


def test_no_stray_log_line_at_labeled_loader_end(no_hook_run):
    # 8 labeled clips / batch 2 = 4 batches: MMEngine's LoggerHook would add
    # a line at iteration 4 (the labeled loader's "end of epoch")
    work, log = no_hook_run
    assert [r['step'] for r in _records(work) if 'loss' in r] == [5]
    assert 'Iter(train) [4/6]' not in log


def test_stock_recipe_schedule_is_converted_to_iterations(tiny_synth,
                                                          tmp_path):
    work = str(tmp_path / 'w')
    proc = run_tool(TRAIN + [
        osp.join(CFG_DIR, 'fixmatch_from_recipe_cfg.py'), '--work-dir', work,
        '--cfg-options', 'default_hooks.logger.interval=1'
    ], tiny_synth)
    log = proc.stdout + proc.stderr
    # the rule is printed: 16 unlabeled clips / batch 4 = 4 iterations
    assert '1 epoch = 4 iterations' in log
    assert 'LinearLR: epochs [0, 34) -> iterations [0, 136)' in log
    assert 'Epoch(train)' not in log and 'Iter(train) [8/8]' in log
    # the recipe's 34-epoch linear warm-up (from 0.1 x lr) advances every
    # iteration instead of staying frozen (MMEngine's LinearLR reaches the
    # full lr at its last iteration, end - 1 = 135)
    lrs = [r['lr'] for r in _records(work) if 'loss' in r]
    expected = [0.01 * (0.1 + 0.9 * k / 135) for k in range(8)]
    assert lrs == pytest.approx(expected, rel=1e-6)
    # "1 checkpoint per epoch" = every 4 iterations, not only at the end
    assert osp.exists(osp.join(work, 'iter_4.pth'))
    assert osp.exists(osp.join(work, 'iter_8.pth'))
    # the recipe has no EMATeacherHook: installed by the loop
    state = torch.load(osp.join(work, 'iter_8.pth'),
                       weights_only=False)['state_dict']
    assert int(state['teachers.teacher.steps']) == 8


@pytest.mark.parametrize('target,priority,message', [
    ('student', 'HIGH', 'the student holds non-finite values'),
    ('teacher', 'NORMAL', 'refusing to save a checkpoint'),
])
def test_non_finite_model_is_never_checkpointed(tiny_synth, tmp_path,
                                                target, priority, message):
    work = str(tmp_path / 'w')
    with pytest.raises(AssertionError) as err:
        run_tool(TRAIN + [
            osp.join(CFG_DIR, 'fixmatch_poison_cfg.py'), '--work-dir', work,
            '--cfg-options', f'custom_hooks.1.target={target}',
            f'custom_hooks.1.priority={priority}'
        ], tiny_synth, extra_env=dict(
            PYTHONPATH=osp.join(ROOT, 'tests', 'helpers')))
    assert message in str(err.value)
    assert 'running_var' in str(err.value)
    for path in glob.glob(osp.join(work, '*.pth')):
        state = torch.load(path, weights_only=False)['state_dict']
        for k, v in state.items():
            if v.is_floating_point():
                assert torch.isfinite(v).all(), (path, k)
    last = osp.join(work, 'last_checkpoint')
    assert not osp.exists(last) or osp.exists(open(last).read().strip())


def test_resume_with_load_from_starts_from_the_weights(no_hook_run,
                                                        tiny_synth,
                                                        tmp_path):
    src, _ = no_hook_run
    state = torch.load(osp.join(src, 'iter_6.pth'),
                       weights_only=False)['state_dict']
    weights = str(tmp_path / 'weights.pth')
    torch.save(dict(state_dict=state), weights)  # no training state
    work = str(tmp_path / 'w')
    proc = run_tool(TRAIN + [TINY_CFG, '--work-dir', work, '--resume',
                             '--cfg-options', f'load_from={weights}',
                             'train_cfg.max_iters=1'], tiny_synth)
    log = proc.stdout + proc.stderr
    assert 'starting a new run initialised from load_from' in log
    assert 'Load checkpoint from' in log


def test_resolve_resume(tmp_path):
    from mmengine.config import Config

    from mmssar.utils.launch import resolve_resume
    weights = str(tmp_path / 'weights.pth')
    torch.save(dict(state_dict={}), weights)
    ckpt = str(tmp_path / 'iter_3.pth')
    torch.save(dict(state_dict={}, meta=dict(epoch=0, iter=3)), ckpt)

    cfg = Config(dict(work_dir=str(tmp_path / 'empty'), load_from=weights))
    resolve_resume(cfg, 'auto')  # nothing to resume: a new run from weights
    assert not cfg.resume and cfg.load_from == weights

    (tmp_path / 'last_checkpoint').write_text(ckpt)
    cfg = Config(dict(work_dir=str(tmp_path), load_from=weights))
    resolve_resume(cfg, 'auto')  # the run's own checkpoint wins
    assert cfg.resume and cfg.load_from == ckpt

    with pytest.raises(ValueError, match='load_from='):
        resolve_resume(Config(dict(work_dir=str(tmp_path))), weights)
