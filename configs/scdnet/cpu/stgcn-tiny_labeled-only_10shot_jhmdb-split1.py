# Supervised baseline: the small ST-GCN on the 10-labels-per-class subset of
# JHMDB 2-D split 1 (same pipelines and schedule as the SCD-Net fine-tuning).
_base_ = [
    '../_base_/datasets/cpu_jhmdb_split1.py',
    '../_base_/models/stgcn_tiny_jhmdb.py',
    '../_base_/protocols/cpu_supervised.py'
]

train_dataloader = _base_.labeled_dataloader
