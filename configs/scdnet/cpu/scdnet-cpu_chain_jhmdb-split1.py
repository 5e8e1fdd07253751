# SCD-Net on JHMDB 2-D split 1 (ground-truth 2-D joints), CPU size, 10 labels per
# class: pre-training, then from its last checkpoint (the query encoder,
# `backbone.*`) a linear probe, 1-NN retrieval with the 10-shot bank and with
# the whole training split as bank, fine-tuning of the whole network, and
# FixMatch with the pre-trained student; plus the no-pre-training controls:
# the same fine-tuning and the same linear probe from a random initialisation.
#   python tools/run_chain.py configs/scdnet/cpu/scdnet-cpu_chain_jhmdb-split1.py
# benchmarks/skeleton_ssl.py runs it. Format: docs/stage_chains.md.
encoder = dict(stage='pretrain', checkpoint='last', prefix='backbone.')
knn = [
    '{python}', 'tools/misc/knn_eval.py', '{config:linear}', '--checkpoint',
    '{checkpoint:pretrain}', '--k', '1', '{cfg_options}', '--bank'
]
stages = [
    dict(name='pretrain', config='./scdnet-cpu_pretrain_jhmdb-split1.py'),
    dict(name='linear',
         config='./scdnet-cpu_linear_10shot_jhmdb-split1.py',
         init_from=encoder),
    # the control of the probe: the same linear probe on a random encoder
    dict(name='linear_random',
         config='./scdnet-cpu_linear_10shot_jhmdb-split1.py'),
    dict(name='knn1_10shot', command=knn + ['linear_dataloader']),
    dict(name='knn1_full', command=knn + ['bank_dataloader']),
    dict(name='finetune',
         config='./scdnet-cpu_finetune_10shot_jhmdb-split1.py',
         init_from=encoder),
    dict(name='scratch', config='./scdnet-cpu_finetune_10shot_jhmdb-split1.py'),
    dict(name='fixmatch',
         config='./scdnet-cpu_fixmatch_10shot_jhmdb-split1.py',
         init_from=encoder),
]
