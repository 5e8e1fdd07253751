"""Evaluation helpers of mmssar."""
