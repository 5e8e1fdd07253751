# FixMatch with a small ST-GCN on real skeletons: NW-UCLA cross-view, 10 labels
# per class (the other training clips unlabeled), 2 CPU cores.
_base_ = [
    '../_base_/models/stgcn_tiny_kinect20.py',
    '../_base_/datasets/nwucla_xview_10shot.py', './_base_/semi_1500it.py'
]

model = dict(_delete_=True,
             type='FixMatchRecognizer',
             student=_base_.model,
             **_base_.fixmatch)
train_cfg = dict(unlabeled_dataloader=_base_.unlabeled_dataloader)
