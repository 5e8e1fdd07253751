# Supervised baseline: the small ST-GCN on the 10 labels per class of
# JHMDB 2-D split 1 only.
_base_ = [
    '../_base_/models/stgcn_tiny_jhmdb.py',
    '../_base_/datasets/jhmdb_split1_10shot.py', './_base_/supervised_1500it.py'
]

# An infinite sampler: with a finite one MMEngine's iteration loop pauses
# ~0.6 s every time the small labeled set is exhausted (every few iterations).
train_dataloader = dict(sampler=dict(type='InfiniteSampler', shuffle=True))
