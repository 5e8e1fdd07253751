"""Loops and hooks of mmssar."""
