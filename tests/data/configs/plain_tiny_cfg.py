# The plain recognizer of fixmatch_tiny_cfg.py (what an exported teacher or
# student is tested with).
_base_ = ['./fixmatch_tiny_cfg.py']

model = dict(_delete_=True, **_base_.student)
custom_hooks = []
