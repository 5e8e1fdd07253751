# Supervised baseline: the small ST-GCN on the 10-labels-per-class subset of
# NW-UCLA cross-view (same pipelines and schedule as the SCD-Net fine-tuning).
_base_ = [
    '../_base_/datasets/cpu_nwucla_xview.py',
    '../../_base_/models/stgcn_tiny_kinect20.py',
    '../_base_/protocols/cpu_supervised.py'
]

train_dataloader = _base_.labeled_dataloader
