# Upper bound: the small ST-GCN on every labeled training clip of
# NW-UCLA cross-view.
_base_ = ['./stgcn-tiny_labeled-only_10shot_nwucla-xview.py']

train_dataloader = _base_.full_dataloader
