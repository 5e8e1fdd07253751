# NTU RGB+D 60, cross-view (cameras 2 and 3 train), 3-D joints. Everything
# but the split names and the labeled subset is the cross-subject base, e.g.
#   python tools/data/make_split.py data/skeleton/ntu60_3d.pkl \
#       --preset ntu60-xview-10pct-balanced --seed 0 \
#       --out data/skeleton/splits/ntu60_xview_10pc_balanced
_base_ = './semi_ntu60_xsub.py'

ann_file_labeled = 'data/skeleton/splits/ntu60_xview_10pc_balanced_labeled.pkl'
train_split = 'xview_train'
val_split = 'xview_val'

train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file=ann_file_labeled, split=train_split)))
train_cfg = dict(
    unlabeled_dataloader=dict(dataset=dict(dataset=dict(split=train_split))))
val_dataloader = dict(dataset=dict(split=val_split))
test_dataloader = dict(dataset=dict(split=val_split))
