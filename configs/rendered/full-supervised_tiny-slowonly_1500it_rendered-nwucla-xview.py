# Upper bound on the rendered NW-UCLA set: every training clip (views 1+2)
# labeled.
_base_ = [
    './labeled-only_tiny-slowonly_1500it_rendered-nwucla-xview-10shot.py'
]

train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file=_base_.ann_file_train)))
