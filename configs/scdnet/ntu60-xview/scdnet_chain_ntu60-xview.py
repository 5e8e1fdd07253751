# SCD-Net on NTU RGB+D 60 cross-view, full size: pre-training, then every downstream
# protocol of configs/scdnet/README.md initialised from its last checkpoint
# (the query encoder, `backbone.*`): linear evaluation, 1-NN retrieval, full
# fine-tuning, and semi-supervised fine-tuning on 1 % / 10 % labeled subsets
# (class-balanced; uniform random, five draws). Make the subsets first
# (configs/scdnet/README.md, "Labeled subsets"), then e.g.
#   python tools/run_chain.py configs/scdnet/ntu60-xview/scdnet_chain_ntu60-xview.py \
#       --launcher pytorch --gpus 1
# Format and options: docs/stage_chains.md.
encoder = dict(stage='pretrain', checkpoint='last', prefix='backbone.')
stages = [
    dict(name='pretrain', config='./scdnet_pretrain_1xb64-451e_ntu60-xview.py'),
    dict(name='linear',
         config='./scdnet_linear_1xb1024-80e_ntu60-xview.py',
         init_from=encoder),
    dict(name='knn1',
         command=[
             '{python}', 'tools/misc/knn_eval.py', '{config:linear}',
             '--checkpoint', '{checkpoint:pretrain}', '--k', '1',
             '{cfg_options}'
         ]),
    dict(name='finetune',
         config='./scdnet_finetune_1xb64-80e_ntu60-xview.py',
         init_from=encoder),
] + [
    dict(name=f'semi-{pc}-balanced',
         config=f'./scdnet_semi_1xb64-80e_ntu60-xview-{pc}-balanced.py',
         init_from=encoder) for pc in ('1pc', '10pc')
] + [
    dict(name=f'semi-{pc}-random-seed{seed}',
         config=f'./scdnet_semi_1xb64-80e_ntu60-xview-{pc}-random.py',
         init_from=encoder,
         env=dict(SPLIT_SEED=seed)) for pc in ('1pc', '10pc')
    for seed in range(5)
]
