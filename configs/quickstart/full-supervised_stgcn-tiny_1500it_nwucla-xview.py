# Upper bound: the small ST-GCN on every NW-UCLA training clip (views 1+2).
_base_ = ['./labeled-only_stgcn-tiny_1500it_nwucla-xview-10shot.py']

train_dataloader = dict(dataset=dict(
    dataset=dict(ann_file=_base_.ann_file, split=_base_.train_split)))
