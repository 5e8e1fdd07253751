# FreeMatch's self-adaptive thresholds on the quickstart JHMDB FixMatch
# (README.md here: source and deviations), per-class diagnostics.
_base_ = '../quickstart/fixmatch_stgcn-tiny_1500it_jhmdb-split1-10shot.py'

# EMA horizon ~100 of the 1,500 iterations (the paper: 0.999 of 1M)
freematch = dict(type='FreeMatchThreshold', momentum=0.99,
                 num_classes=_base_.num_classes)
model = dict(semi_train_cfg=dict(threshold=dict(
    _delete_=True, type='ClassWiseMonitor', num_classes=_base_.num_classes,
    weighters=[freematch])))
