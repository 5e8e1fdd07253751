"""Fixtures of the SeFAR tests: the engine tests' tiny synthetic set."""
import importlib.util
import os.path as osp

_spec = importlib.util.spec_from_file_location(
    '_engine_conftest',
    osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'test_engine',
             'conftest.py'))
_engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_engine)
tiny_synth = _engine.tiny_synth  # noqa: F401 (a fixture)
