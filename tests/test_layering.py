"""Package layering: the data layer and the model layer do not import each
other (shared tables live in ``mmssar.utils``), and hooks do not import the
training loops' module (they use the runner's public API)."""
import ast
import os
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PKG = osp.join(ROOT, 'mmssar')


def _modules(subpackage):
    base = osp.join(PKG, *subpackage.split('.'))
    for dirpath, _, files in os.walk(base):
        for name in sorted(files):
            if name.endswith('.py'):
                path = osp.join(dirpath, name)
                rel = osp.relpath(path, ROOT)[:-3].replace(os.sep, '.')
                yield path, rel[:-len('.__init__')] if rel.endswith(
                    '__init__') else rel


def _imports(path, module):
    """Absolute names of every module imported anywhere in the file
    (function-level imports included)."""
    tree = ast.parse(open(path, encoding='utf-8').read(), path)
    package = module if path.endswith('__init__.py') else module.rsplit(
        '.', 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split('.')
                base = parts[:len(parts) - node.level + 1]
                name = '.'.join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            yield node.lineno, name
            for alias in node.names:  # `from mmssar import models`
                yield node.lineno, f'{name}.{alias.name}'


def _violations(subpackage, forbidden):
    found = []
    for path, module in _modules(subpackage):
        for lineno, name in _imports(path, module):
            if any(name == f or name.startswith(f + '.') for f in forbidden):
                found.append(f'{osp.relpath(path, ROOT)}:{lineno} imports '
                             f'{name}')
    return found


@pytest.mark.parametrize('layer,forbidden', [
    ('datasets', ['mmssar.models']),
    ('models', ['mmssar.datasets']),
    ('engine.hooks', ['mmssar.engine.runner']),
])
def test_layers_do_not_import_each_other(layer, forbidden):
    assert _violations(layer, forbidden) == []


def test_the_checker_sees_relative_and_nested_imports(tmp_path):
    # sabotage check of the checker itself on a throw-away package layout
    pkg = tmp_path / 'mmssar' / 'datasets' / 'transforms'
    pkg.mkdir(parents=True)
    (pkg / 'bad.py').write_text(
        'def f():\n    from ...models.backbones import x\n')
    path = str(pkg / 'bad.py')
    names = [n for _, n in _imports(path, 'mmssar.datasets.transforms.bad')]
    assert 'mmssar.models.backbones' in names
