# Labeled-only training, then self-training from it (frozen teacher and
# student start): python tools/run_chain.py THIS_FILE
stages = [
    dict(name='labeled_only',
         config='../quickstart/labeled-only_stgcn-tiny_1500it_jhmdb-split1-10shot.py'),
    dict(name='self_training',
         config='./self-training_stgcn-tiny_1500it_jhmdb-split1-10shot.py',
         init_from='labeled_only',
         cfg_options={
             'model.teachers.labeled.checkpoint':
             '{checkpoint:labeled_only}'
         }),
]
