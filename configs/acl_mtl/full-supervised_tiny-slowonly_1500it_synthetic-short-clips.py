# The upper bound of the tiny ACL+MTL config: every training clip labeled,
# the same short clips in training and validation.
_base_ = ['./labeled-only_tiny-slowonly_1500it_synthetic-20shot-short-clips.py']

train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file=_base_.ann_file_train)))
