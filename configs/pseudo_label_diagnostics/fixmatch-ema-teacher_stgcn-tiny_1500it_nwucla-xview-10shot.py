# The quickstart NW-UCLA FixMatch with its pseudo-labels made by the EMA
# teacher (weak view) instead of the student, per-class diagnostics logged.
_base_ = './fixmatch-classwise-monitor_stgcn-tiny_1500it_nwucla-xview-10shot.py'

model = dict(semi_train_cfg=dict(pseudo_label_source='teacher'))
