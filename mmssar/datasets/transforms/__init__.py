"""Data transforms (registered into ``mmssar.registry.TRANSFORMS``)."""
