"""Check, before a run starts, that the files a config reads exist.

A dataset config may declare how its data is made in a top-level
``data_preparation`` string (a command, or a pointer to the docs); when an
annotation file is missing the error names every missing file, the config
key that reads it and that command, instead of the first dataset's bare
"file not found" deep inside the runner.
"""
import os.path as osp
from typing import Iterator, List, Sequence, Tuple

#: The dataloaders a training run builds (``train_cfg.unlabeled_dataloader``
#: is the semi loops' unlabeled stream).
TRAIN_LOADERS = ('train_dataloader', 'train_cfg.unlabeled_dataloader',
                 'val_dataloader')
TEST_LOADERS = ('test_dataloader', )

#: Where preparation is described when a config declares nothing.
DEFAULT_HINT = 'see docs/data_preparation.md'


def _get(cfg, dotted: str):
    node = cfg
    for part in dotted.split('.'):
        if not hasattr(node, 'get'):
            return None
        node = node.get(part)
        if node is None:
            return None
    return node


def _ann_files(node, where: str) -> Iterator[Tuple[str, str]]:
    """``(config key, path)`` of every ``ann_file`` below ``node``."""
    if hasattr(node, 'items'):
        for key, value in node.items():
            if key == 'ann_file' and isinstance(value, str) and value:
                # MMEngine datasets read a relative ann_file under their
                # data_root
                root = node.get('data_root')
                if isinstance(root, str) and root and not osp.isabs(value):
                    value = osp.join(root, value)
                yield f'{where}.{key}', value
            else:
                yield from _ann_files(value, f'{where}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _ann_files(value, f'{where}[{i}]')


def missing_data_files(cfg, loaders: Sequence[str] = TRAIN_LOADERS
                       ) -> List[Tuple[str, str]]:
    """``(config key, path)`` of the annotation files of ``loaders`` that do
    not exist (paths relative to the working directory, as MMEngine reads
    them)."""
    missing = []
    for name in loaders:
        for key, path in _ann_files(_get(cfg, name), name):
            if not osp.exists(path) and (key, path) not in missing:
                missing.append((key, path))
    return missing


def check_data_files(cfg, loaders: Sequence[str] = TRAIN_LOADERS) -> None:
    """Raise a :class:`FileNotFoundError` that says how to make the data.

    Args:
        cfg (Config | dict): A full run config.
        loaders (Sequence[str]): Dotted keys of the dataloaders to check.

    Raises:
        FileNotFoundError: An annotation file is missing; the message lists
            the missing files with their config keys and the config's
            ``data_preparation`` command.
    """
    missing = missing_data_files(cfg, loaders)
    if not missing:
        return
    hint = cfg.get('data_preparation') or DEFAULT_HINT
    source = getattr(cfg, 'filename', None) or 'the config'
    lines = '\n'.join(f'  {key} = {path}' for key, path in missing)
    raise FileNotFoundError(
        f'the data of {source} is missing:\n{lines}\n'
        f'Prepare it with:\n  {hint}')
