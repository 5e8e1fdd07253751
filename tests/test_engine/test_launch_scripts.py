"""tools/dist_*.sh run the project's virtual environment when it has one
(issue 10, point 9): `python` on PATH may lack mmssar's dependencies."""
import os
import os.path as osp
import shutil
import stat
import subprocess

import pytest
from engine_utils import ROOT

STUB = '#!/bin/sh\necho "$0 $@" >> "$(dirname "$0")/../../calls.txt"\n'


def _project_copy(tmp_path, script, with_venv):
    tools = tmp_path / 'tools'
    tools.mkdir()
    shutil.copy(osp.join(ROOT, 'tools', script), tools / script)
    if with_venv:
        python = tmp_path / '.venv' / 'bin' / 'python'
        python.parent.mkdir(parents=True)
        python.write_text(STUB)
        python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return tools / script


def _run(script, args, env_extra):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHON'}
    env.update(env_extra)
    return subprocess.run(['bash', str(script)] + args, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize('script,args', [
    ('dist_train.sh', ['cfg.py', '2']),
    ('dist_test.sh', ['cfg.py', 'ckpt.pth', '2']),
])
def test_dist_scripts_use_the_project_venv(tmp_path, script, args):
    path = _project_copy(tmp_path, script, with_venv=True)
    proc = _run(path, args, {})
    assert proc.returncode == 0, proc.stderr
    calls = (tmp_path / 'calls.txt').read_text()
    assert '.venv/bin/python -m torch.distributed.run' in calls
    assert '--launcher pytorch' in calls


def test_explicit_python_wins_and_path_python_without_venv(tmp_path):
    path = _project_copy(tmp_path, 'dist_train.sh', with_venv=False)
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for name in ('python', 'mypython'):
        stub = bin_dir / name
        stub.write_text(STUB.replace('/../../calls.txt', '/../calls.txt'))
        stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    path_env = dict(PATH=f'{bin_dir}:{os.environ["PATH"]}')
    assert _run(path, ['cfg.py', '2'], path_env).returncode == 0
    assert _run(path, ['cfg.py', '2'],
                dict(path_env, PYTHON=str(bin_dir / 'mypython'))
                ).returncode == 0
    calls = (tmp_path / 'calls.txt').read_text().splitlines()
    assert calls[0].startswith(f'{bin_dir}/python -m torch.distributed.run')
    assert calls[1].startswith(f'{bin_dir}/mypython -m')
