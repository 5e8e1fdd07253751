# Upper bound: the small ST-GCN on every labeled training clip of
# JHMDB 2-D split 1.
_base_ = ['./stgcn-tiny_labeled-only_10shot_jhmdb-split1.py']

train_dataloader = _base_.full_dataloader
