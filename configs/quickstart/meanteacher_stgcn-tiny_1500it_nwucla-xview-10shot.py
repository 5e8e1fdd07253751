# Mean Teacher with a small ST-GCN: NW-UCLA cross-view, 10 labels per class.
_base_ = ['./fixmatch_stgcn-tiny_1500it_nwucla-xview-10shot.py']

model = dict(type='MeanTeacherRecognizer',
             semi_train_cfg=dict(_delete_=True,
                                 **_base_.meanteacher_train_cfg))
