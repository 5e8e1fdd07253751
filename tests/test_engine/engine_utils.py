"""Helpers of the engine tests (fixtures are in conftest.py)."""
import os
import os.path as osp
import subprocess

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CFG = osp.join(ROOT, 'tests', 'data', 'configs', 'fixmatch_tiny_cfg.py')


def run_tool(args, synth_root, extra_env=None, timeout=600):
    """Run a tools/ script; return the completed process (output checked)."""
    env = dict(os.environ, MMSSAR_SYNTH_ROOT=synth_root)
    env.update(extra_env or {})
    proc = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(
            f'{" ".join(args)} failed ({proc.returncode}):\n'
            f'{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}')
    return proc
