"""Models, algorithms, losses and components of mmssar."""
