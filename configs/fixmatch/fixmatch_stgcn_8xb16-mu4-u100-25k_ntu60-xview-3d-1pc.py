# FixMatch, ST-GCN (joints) from scratch, NTU-60 xview, 1 % labels
# (class-balanced).
_base_ = './fixmatch_stgcn_8xb16-mu4-u100-25k_ntu60-xview-3d-10pc.py'

ann_file_labeled = 'data/skeleton/splits/ntu60_xview_1pc_balanced_labeled.pkl'
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file_labeled)))
