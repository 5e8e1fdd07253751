# Mean Teacher with a small ST-GCN: JHMDB 2-D split 1, 10 labels per class.
_base_ = ['./fixmatch_stgcn-tiny_1500it_jhmdb-split1-10shot.py']

model = dict(type='MeanTeacherRecognizer',
             semi_train_cfg=dict(_delete_=True,
                                 **_base_.meanteacher_train_cfg))
