# The tiny FixMatch run with a BN buffer set to inf after iteration 3
# (tests/helpers on PYTHONPATH): before the EMA step (priority HIGH, target
# student) or after it (priority NORMAL, target teacher).
_base_ = ['./fixmatch_tiny_cfg.py']

custom_imports = dict(imports=['mmssar', 'poison_hook'])
custom_hooks = [
    dict(type='EMATeacherHook'),
    dict(type='PoisonBNHook', target='student', at_iter=3, priority='HIGH')
]
