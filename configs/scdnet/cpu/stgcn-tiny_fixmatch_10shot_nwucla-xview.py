# FixMatch around the small ST-GCN: 10 labels per class of NW-UCLA cross-view
# plus the remaining training clips as unlabeled data.
_base_ = [
    '../_base_/datasets/cpu_nwucla_xview.py',
    '../../_base_/models/stgcn_tiny_kinect20.py',
    '../_base_/protocols/cpu_fixmatch.py'
]

model = dict(_delete_=True,
             type='FixMatchRecognizer',
             student=_base_.model,
             **_base_.fixmatch)
train_dataloader = _base_.semi_labeled_dataloader
train_cfg = dict(unlabeled_dataloader=_base_.unlabeled_dataloader)
