"""mmssar: semi-supervised action recognition for MMAction2."""
# The compatibility fixes must run before anything imports ``mmaction.models``
# (the mmaction2 wheel misses a module it imports) or loads a checkpoint.
from .utils.compat import apply_all as _apply_compat_patches

_apply_compat_patches()

from .version import __version__  # noqa: E402

__all__ = ['__version__']
