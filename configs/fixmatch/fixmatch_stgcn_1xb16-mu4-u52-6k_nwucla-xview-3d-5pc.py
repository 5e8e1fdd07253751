# FixMatch, ST-GCN (joints) from scratch, NW-UCLA cross-view, 5 % labels
# (class-balanced, make_split.py --ratio 0.05).
_base_ = './fixmatch_stgcn_1xb16-mu4-u52-6k_nwucla-xview-3d-10perclass.py'

ann_file_labeled = 'data/skeleton/splits/nwucla_xview_5pc_labeled.pkl'
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file_labeled)))
