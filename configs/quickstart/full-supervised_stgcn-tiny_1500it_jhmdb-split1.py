# Upper bound: the small ST-GCN on every training clip of JHMDB 2-D split 1.
_base_ = ['./labeled-only_stgcn-tiny_1500it_jhmdb-split1-10shot.py']

train_dataloader = dict(dataset=dict(
    dataset=dict(ann_file=_base_.ann_file, split=_base_.train_split)))
