# The quickstart JHMDB FixMatch unchanged, with per-class mask ratio and
# pseudo-label accuracy logged (mask_ratio/c3, pl_acc/c3, ...).
_base_ = '../quickstart/fixmatch_stgcn-tiny_1500it_jhmdb-split1-10shot.py'

model = dict(semi_train_cfg=dict(threshold=dict(
    _delete_=True, type='ClassWiseMonitor', num_classes=_base_.num_classes,
    weighters=[dict(type='FixedThreshold',
                    threshold=_base_.model.semi_train_cfg.threshold)])))
