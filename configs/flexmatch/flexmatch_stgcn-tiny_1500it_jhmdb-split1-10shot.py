# FlexMatch: the quickstart JHMDB FixMatch with class-wise flexible
# thresholds (README.md here: source and deviations), per-class diagnostics.
_base_ = '../quickstart/fixmatch_stgcn-tiny_1500it_jhmdb-split1-10shot.py'

# unlabeled clips of the 10-per-class split 1 (433 training clips - 140)
num_unlabeled = 293
# tau: the fixed threshold of the FixMatch row it is compared with
flexmatch = dict(type='FlexMatchThreshold',
                 threshold=_base_.model.semi_train_cfg.threshold,
                 num_samples=num_unlabeled, num_classes=_base_.num_classes)
model = dict(semi_train_cfg=dict(threshold=dict(
    _delete_=True, type='ClassWiseMonitor', num_classes=_base_.num_classes,
    weighters=[flexmatch])))
