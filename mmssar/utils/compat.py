"""Runtime fixes that let MMAction2 1.2.0 / MMEngine 0.10.7 run on today's stack.

Each patch

* probes whether the breakage is still there and does nothing once upstream is
  fixed (behaviour is probed, not version numbers),
* is idempotent (calling :func:`apply_all` twice changes nothing), and
* records whether it was applied in :data:`APPLIED` so tests and bug reports
  can tell what is active.

:func:`apply_all` runs when :mod:`mmssar` is imported and at the top of every
``tools/*.py`` before the config is parsed, because ``Config.fromfile`` needs
the ``pkg_resources`` fix to resolve ``mmaction::`` base configs *before* it
executes ``custom_imports``.
"""
import importlib
import importlib.abc
import importlib.metadata
import importlib.util
import os
import os.path as osp
import sys
import types
from typing import Callable, Dict

#: name of patch -> True if it was applied, False if the probe found upstream
#: already fine. Filled by :func:`apply_all`.
APPLIED: Dict[str, bool] = {}


# --------------------------------------------------------------------------
# 1. ``mmaction.models.localizers.drn`` is missing from the mmaction2 1.2.0
#    wheel (and sdist): ``import mmaction.models`` fails without it.
# --------------------------------------------------------------------------
_DRN_PKG = 'mmaction.models.localizers.drn'


class _MissingDRN:
    """Placeholder for the DRN localizer that the mmaction2 wheel omits."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            'DRN is not part of the installed mmaction2 wheel (the package '
            f'`{_DRN_PKG}` is missing upstream); mmssar installed a placeholder '
            'so that the rest of mmaction.models imports. Install mmaction2 '
            'from source to use DRN.')


def _drn_missing() -> bool:
    if _DRN_PKG in sys.modules:
        return False
    # Look at the files: ``find_spec`` would import the parent package,
    # which is exactly the import that fails.
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    return not any(
        osp.exists(osp.join(root, 'models', 'localizers', 'drn',
                            '__init__.py'))
        for root in spec.submodule_search_locations)


class _DRNPlaceholderFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves placeholder ``drn`` modules through the import system, so that
    they are attached to their parent package like real submodules."""

    names = (_DRN_PKG, _DRN_PKG + '.drn')

    def find_spec(self, name, path=None, target=None):
        if name in self.names:
            return importlib.util.spec_from_loader(
                name, self, is_package=name == _DRN_PKG)
        return None

    def create_module(self, spec):
        return None  # default module creation

    def exec_module(self, module) -> None:
        module.DRN = _MissingDRN
        module.__mmssar_placeholder__ = True


def patch_missing_drn() -> bool:
    """Provide placeholder ``drn`` modules when the wheel lacks them."""
    if any(isinstance(f, _DRNPlaceholderFinder) for f in sys.meta_path):
        return True
    if not _drn_missing():
        return False
    sys.meta_path.append(_DRNPlaceholderFinder())
    # A failed earlier import leaves a half-initialised package behind.
    for name in [m for m in sys.modules if m.startswith('mmaction.models')]:
        if sys.modules[name] is None:
            del sys.modules[name]
    return True


# --------------------------------------------------------------------------
# 2. ``mmaction.utils.dependency`` imports the third-party
#    ``importlib_metadata`` which mmaction2 does not declare.
# --------------------------------------------------------------------------
def patch_importlib_metadata() -> bool:
    """Alias ``importlib_metadata`` to the standard library when absent."""
    if 'importlib_metadata' in sys.modules or importlib.util.find_spec(
            'importlib_metadata') is not None:
        return False
    sys.modules['importlib_metadata'] = importlib.metadata
    return True


# --------------------------------------------------------------------------
# 3. MMEngine 0.10.7 resolves ``mmaction::`` configs with ``pkg_resources``,
#    which setuptools >= 82 no longer ships.
# --------------------------------------------------------------------------
def _is_installed(package: str) -> bool:
    try:
        importlib.metadata.distribution(package)
        return True
    except importlib.metadata.PackageNotFoundError:
        spec = importlib.util.find_spec(package)
        return spec is not None and spec.origin is not None


def _package2module(package: str) -> str:
    dist = importlib.metadata.distribution(package)
    top_level = dist.read_text('top_level.txt')
    if top_level:
        return top_level.split('\n')[0]
    # wheels without top_level.txt: infer from the recorded files
    for file in dist.files or []:
        parts = file.parts
        if len(parts) > 1 and parts[1] == '__init__.py':
            return parts[0]
    raise ValueError(f'can not infer the module name of {package}')


def _get_installed_path(package: str) -> str:
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        spec = importlib.util.find_spec(package)
        if spec is None:
            raise
        if spec.origin is None:
            raise RuntimeError(f'{package} is a namespace package, which is '
                               'invalid for `get_install_path`')
        return osp.dirname(spec.origin)
    location = str(dist.locate_file(''))
    possible_path = osp.join(location, package)
    if osp.exists(possible_path):
        return possible_path
    module = _package2module(package)
    path = osp.join(location, module)
    if not osp.exists(path):
        # editable installs: the module lives elsewhere, ask the importer
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin is not None:
            return osp.dirname(spec.origin)
    return path


def _pkg_resources_missing() -> bool:
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        return True
    return False


def patch_pkg_resources() -> bool:
    """Give MMEngine ``importlib.metadata`` versions of its package helpers."""
    if not _pkg_resources_missing():
        return False
    from mmengine.utils import package_utils
    if getattr(package_utils.is_installed, '__mmssar_patch__', False):
        return True
    replacements = dict(
        is_installed=_is_installed,
        get_installed_path=_get_installed_path,
        package2module=_package2module)
    for fn in replacements.values():
        fn.__mmssar_patch__ = True
    # the helpers were imported by name into these modules as well
    for modname in ('mmengine.utils.package_utils', 'mmengine.utils',
                    'mmengine.config.config', 'mmengine.config.utils',
                    'mmengine.hub.hub'):
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        for name, fn in replacements.items():
            if hasattr(mod, name):
                setattr(mod, name, fn)
    return True


# --------------------------------------------------------------------------
# 4. torch >= 2.6 loads with ``weights_only=True`` by default; MMEngine
#    checkpoints pickle ``HistoryBuffer`` objects and numpy arrays, so
#    ``resume``/``load_from`` fail. We keep ``weights_only=True`` and allow-list
#    exactly the extra types an MMEngine checkpoint contains.
# --------------------------------------------------------------------------
def _restricted_getattr(obj, name):
    """``getattr`` limited to what a pickled ``HistoryBuffer`` needs.

    ``HistoryBuffer`` instances pickle their statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; nothing else in an MMEngine checkpoint
    uses ``getattr``.
    """
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and name in HistoryBuffer._statistics_methods:
        return getattr(obj, name)
    raise RuntimeError(
        f'mmssar: refusing getattr({obj!r}, {name!r}) while unpickling a '
        'checkpoint; only HistoryBuffer statistics methods are allowed.')


def mmengine_checkpoint_safe_globals() -> list:
    """Types beyond tensors that MMEngine training checkpoints contain."""
    import numpy as np
    from mmengine.logging import HistoryBuffer
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    safe = [
        HistoryBuffer, np.ndarray, np.dtype, _reconstruct, scalar,
        (_restricted_getattr, 'builtins.getattr'),
        (_restricted_getattr, '__builtin__.getattr')
    ]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        safe += [
            getattr(dtypes, n) for n in dir(dtypes)
            if n.endswith('DType') and isinstance(getattr(dtypes, n), type)
        ]
    return safe


def _torch_load_safe(fileobj, map_location):
    import torch
    with torch.serialization.safe_globals(mmengine_checkpoint_safe_globals()):
        return torch.load(fileobj, map_location=map_location, weights_only=True)


def _mmengine_loads_own_checkpoints() -> bool:
    """Probe: can MMEngine's local loader read a checkpoint MMEngine writes?"""
    import tempfile

    import torch
    from mmengine.logging import HistoryBuffer
    from mmengine.runner.checkpoint import CheckpointLoader
    buf = HistoryBuffer()
    buf.update(1.0)
    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'probe.pth')
        torch.save({'message_hub': {'log_scalars': {'x': buf}}}, path)
        loader = CheckpointLoader._get_checkpoint_loader(path)
        try:
            loader(path, map_location='cpu')
        except Exception:  # UnpicklingError and friends
            return False
    return True


def load_local_checkpoint(filename: str, map_location=None):
    """MMEngine's local-file loader with the MMEngine allow-list."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return _torch_load_safe(filename, map_location)


def load_url_checkpoint(filename: str, map_location=None, model_dir=None):
    """MMEngine's http(s) loader with the MMEngine allow-list."""
    import torch.hub
    hub_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(hub_dir, exist_ok=True)
    cached = osp.join(hub_dir, osp.basename(filename.split('?')[0]))
    if not osp.exists(cached):
        torch.hub.download_url_to_file(filename, cached, progress=False)
    return _torch_load_safe(cached, map_location)


def patch_checkpoint_loading() -> bool:
    """Register allow-listing loaders for local files and URLs in MMEngine."""
    from mmengine.runner.checkpoint import CheckpointLoader
    current = CheckpointLoader._schemes.get('')
    if getattr(current, '__mmssar_patch__', False):
        return True
    if _mmengine_loads_own_checkpoints():
        return False
    load_local_checkpoint.__mmssar_patch__ = True
    load_url_checkpoint.__mmssar_patch__ = True
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'),
        loader=load_url_checkpoint,
        force=True)
    return True


# --------------------------------------------------------------------------
# 5. numpy 2 removed ``np.Inf``, used by mmaction2's ``PoseCompact``,
#    ``MMCompact`` and ``frame_extract``.
# --------------------------------------------------------------------------
def patch_numpy_inf() -> bool:
    """Restore the ``np.Inf`` alias that mmaction2 1.2.0 still uses."""
    import numpy as np
    try:
        np.Inf  # noqa: B018
        return False
    except AttributeError:
        np.Inf = np.inf
        return True


# --------------------------------------------------------------------------
# 6. ``mmengine.dist.init_dist('pytorch')`` calls ``torch.cuda.set_device``
#    unconditionally, which fails on CPU-only machines (gloo).
# --------------------------------------------------------------------------
def _init_dist_pytorch_cpu(backend='gloo', init_backend='torch', **kwargs):
    import torch.distributed as torch_dist
    if backend == 'nccl':
        backend = 'gloo'  # nccl needs CUDA
    torch_dist.init_process_group(
        backend=backend,
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']),
        **kwargs)


def patch_cpu_distributed() -> bool:
    """On machines without CUDA, initialise ``torchrun`` jobs with gloo."""
    import torch
    from mmengine.dist import utils as dist_utils
    if getattr(dist_utils._init_dist_pytorch, '__mmssar_patch__', False):
        return True
    from mmengine.device import (is_mlu_available, is_musa_available,
                                 is_npu_available)
    if torch.cuda.is_available() or is_mlu_available() or is_npu_available(
    ) or is_musa_available():
        return False
    _init_dist_pytorch_cpu.__mmssar_patch__ = True
    dist_utils._init_dist_pytorch = _init_dist_pytorch_cpu
    return True


# --------------------------------------------------------------------------
# 7. numpy 2 removed ``np.in1d`` and ``np.trapz``, used by mmaction2's
#    ``RetrievalRecall`` and ``average_recall_at_avg_proposals``.
# --------------------------------------------------------------------------
def _in1d(ar1, ar2, assume_unique=False, invert=False, *, kind=None):
    """numpy 1's ``in1d``: :func:`numpy.isin` on the flattened input."""
    import numpy as np
    return np.isin(
        np.asarray(ar1).ravel(),
        ar2,
        assume_unique=assume_unique,
        invert=invert,
        kind=kind)


def _trapz(y, x=None, dx=1.0, axis=-1):
    """numpy 1's ``trapz``, renamed ``trapezoid`` in numpy 2."""
    import numpy as np
    return np.trapezoid(y, x=x, dx=dx, axis=axis)


def patch_numpy_removed_functions() -> bool:
    """Restore ``np.in1d`` and ``np.trapz`` that mmaction2 1.2.0 still uses.

    Each alias is added only where numpy lacks the name, so a numpy that
    still has them is left alone.
    """
    import numpy as np
    applied = False
    for name, fn in (('in1d', _in1d), ('trapz', _trapz)):
        current = getattr(np, name, None)
        if current is None:
            fn.__mmssar_patch__ = True
            setattr(np, name, fn)
            applied = True
        elif getattr(current, '__mmssar_patch__', False):
            applied = True
    return applied


# --------------------------------------------------------------------------
# 8. ``ColorJitter.adjust_hue`` adds a negative Python int to a uint8 array;
#    numpy 2 (NEP 50) raises ``OverflowError`` instead of upcasting.
# --------------------------------------------------------------------------
def _adjust_hue(img, factor):
    """mmaction2's hue shift, computed in int32 so that negative offsets
    neither raise (numpy 2) nor wrap around 256 (numpy 1 for large ones)."""
    import cv2
    import numpy as np
    img = np.clip(img, 0, 255).astype(np.uint8)
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    offset = int(factor * 255)
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + offset) % 180
    img = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    return img.astype(np.float32)


def _color_jitter_hue_overflows() -> bool:
    """Probe: does the stock hue shift fail on a negative factor?"""
    import numpy as np
    from mmaction.datasets.transforms import ColorJitter
    try:
        ColorJitter.adjust_hue(np.full((2, 2, 3), 100, np.float32), -0.1)
    except OverflowError:
        return True
    return False


def patch_color_jitter_hue() -> bool:
    """Replace ``ColorJitter.adjust_hue`` when it overflows under numpy 2."""
    from mmaction.datasets.transforms import ColorJitter
    current = ColorJitter.__dict__['adjust_hue'].__func__
    if getattr(current, '__mmssar_patch__', False):
        return True
    if not _color_jitter_hue_overflows():
        return False
    _adjust_hue.__mmssar_patch__ = True
    ColorJitter.adjust_hue = staticmethod(_adjust_hue)
    return True


_PATCHES: Dict[str, Callable[[], bool]] = {
    # order matters: import-level fixes first
    'importlib_metadata': patch_importlib_metadata,
    'missing_drn': patch_missing_drn,
    'pkg_resources': patch_pkg_resources,
    'checkpoint_loading': patch_checkpoint_loading,
    'numpy_inf': patch_numpy_inf,
    'cpu_distributed': patch_cpu_distributed,
    'numpy_removed_functions': patch_numpy_removed_functions,
    'color_jitter_hue': patch_color_jitter_hue,
}


def apply_all() -> Dict[str, bool]:
    """Apply every patch (idempotent). Returns :data:`APPLIED`."""
    for name, patch in _PATCHES.items():
        APPLIED[name] = bool(patch()) or APPLIED.get(name, False)
    return APPLIED


__all__ = [
    'APPLIED', 'apply_all', 'patch_missing_drn', 'patch_importlib_metadata',
    'patch_pkg_resources', 'patch_checkpoint_loading', 'patch_numpy_inf',
    'patch_cpu_distributed', 'patch_numpy_removed_functions',
    'patch_color_jitter_hue', 'mmengine_checkpoint_safe_globals',
    'load_local_checkpoint'
]
