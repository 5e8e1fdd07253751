# FlexMatch: the quickstart NW-UCLA FixMatch with class-wise flexible
# thresholds (README.md here: source and deviations), per-class diagnostics.
_base_ = '../quickstart/fixmatch_stgcn-tiny_1500it_nwucla-xview-10shot.py'

# unlabeled clips of the 10-per-class x-view split (1,020 - 100)
num_unlabeled = 920
# tau: the fixed threshold of the FixMatch row it is compared with
flexmatch = dict(type='FlexMatchThreshold',
                 threshold=_base_.model.semi_train_cfg.threshold,
                 num_samples=num_unlabeled, num_classes=_base_.num_classes)
model = dict(semi_train_cfg=dict(threshold=dict(
    _delete_=True, type='ClassWiseMonitor', num_classes=_base_.num_classes,
    weighters=[flexmatch])))
