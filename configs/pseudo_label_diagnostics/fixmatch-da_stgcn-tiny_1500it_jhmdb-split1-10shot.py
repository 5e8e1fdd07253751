# The quickstart JHMDB FixMatch with distribution alignment of the weak
# probabilities to the uniform prior (the 10-per-class split is balanced).
_base_ = './fixmatch-classwise-monitor_stgcn-tiny_1500it_jhmdb-split1-10shot.py'

# EMA horizon ~100 of the 1,500 iterations (USB: 0.999)
model = dict(semi_train_cfg=dict(distribution_alignment=dict(
    type='DistributionAlignment', num_classes=_base_.num_classes,
    momentum=0.99, target='uniform')))
