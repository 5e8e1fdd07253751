# Mean Teacher on the rendered NW-UCLA set, 10 labels per class (the
# quickstart's Mean Teacher settings).
_base_ = ['./fixmatch_tiny-slowonly_1500it_rendered-nwucla-xview-10shot.py']

model = dict(
    type='MeanTeacherRecognizer',
    semi_train_cfg=dict(
        _delete_=True,
        loss=dict(type='ConsistencyLoss', kind='mse'),
        unsup_weight=dict(type='RampUpWeight', weight=10.0, warmup=100,
                          rampup=400, shape='sigmoid')))
