# The tiny FixMatch run with per-rank weight dumps (tests/helpers on
# PYTHONPATH) and deterministic per-rank computation: BN in eval mode
# (running statistics), no dropout, every pseudo-label kept. Then 2 ranks x
# batch b must equal 1 process x batch 2b.
_base_ = ['./fixmatch_tiny_cfg.py']

custom_imports = dict(imports=['mmssar', 'rank_dump_hook'])
custom_hooks = [dict(type='EMATeacherHook'), dict(type='RankDumpHook')]
model = dict(
    student=dict(backbone=dict(norm_eval=True)),
    semi_train_cfg=dict(threshold=0.0))
