# Mean Teacher, ST-GCN (joints) from scratch, NW-UCLA cross-view, 10 % labels
# (class-balanced, make_split.py --ratio 0.10).
_base_ = './meanteacher_stgcn_1xb16-mu4-u52-6k_nwucla-xview-3d-10perclass.py'

ann_file_labeled = 'data/skeleton/splits/nwucla_xview_10pc_labeled.pkl'
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file_labeled)))
