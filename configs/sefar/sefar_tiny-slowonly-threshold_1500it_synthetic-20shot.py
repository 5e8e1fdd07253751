# SeFAR with a confidence threshold on top of Adaptive Regulation [ours, not
# the paper's]: pseudo-labels whose mean teacher probability is below 0.8
# (the quickstart FixMatch's threshold) get weight 0, the others keep their
# MC-dropout weight. SeFAR weights every pseudo-label (the confidence part of
# its weight never falls below 0.30), which on a small from-scratch model
# lets many wrong pseudo-labels in; this isolates that difference from
# FixMatch.
_base_ = './sefar_tiny-slowonly_1500it_synthetic-20shot.py'

model = dict(semi_train_cfg=dict(
    weighters=[dict(type='FixedThreshold', threshold=0.8)]))
