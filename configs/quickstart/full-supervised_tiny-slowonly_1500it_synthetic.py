# The upper bound of the quickstart: every training clip labeled.
_base_ = ['./labeled-only_tiny-slowonly_1500it_synthetic-20shot.py']

train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file=_base_.ann_file_train)))
