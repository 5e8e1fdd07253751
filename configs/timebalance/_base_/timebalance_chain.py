# The TimeBalance chain (Dave et al., CVPR 2023): pre-training x3 ->
# fine-tuning of both teachers -> temporal similarity scores -> distillation.
# Settings inherit this file and set `chain_vars` (tools/run_chain.py
# substitutes every ${name}; docs/stage_chains.md).
chain_vars = dict(
    labeled=None,  # labeled / unlabeled lists of the setting
    unlabeled=None,
    scores='{work_dir:similarity}/scores.json',
    pretrain=None,  # the data set's stage configs
    finetune=None,
    distil=None,
    distil_iters=None)  # 150 official "epochs" of ceil(labeled / 16)
stages = [
    dict(name='pretrain_inv', config='${pretrain}',
         cfg_options={'model.mode': 'invariant'}),
    dict(name='pretrain_dist', config='${pretrain}',
         cfg_options={'model.mode': 'distinctive'}),
    dict(name='pretrain_all', config='${pretrain}',
         cfg_options={'model.mode': 'all'}),
    dict(name='finetune_inv', config='${finetune}',
         init_from=dict(stage='pretrain_inv', prefix='backbone.'),
         cfg_options={'train_dataloader.dataset.ann_file': '${labeled}'}),
    dict(name='finetune_dist', config='${finetune}',
         init_from=dict(stage='pretrain_dist', prefix='backbone.'),
         cfg_options={'train_dataloader.dataset.ann_file': '${labeled}'}),
    dict(name='similarity', launcher='none',
         command=['{python}', 'tools/data/temporal_similarity.py',
                  '{config:finetune_dist}', '--checkpoint',
                  '{checkpoint:finetune_dist}', '--out',
                  '{work_dir}/scores.json', '{cfg_options}']),
    dict(name='distil',
         config='${distil}',
         init_from=dict(stage='pretrain_all', prefix='backbone.'),
         cfg_options={
             'model.teachers.inv.checkpoint': '{checkpoint:finetune_inv}',
             'model.teachers.dist.checkpoint': '{checkpoint:finetune_dist}',
             'train_cfg.max_iters': '${distil_iters}',
             'train_dataloader.dataset.dataset.ann_file': '${labeled}',
             'train_dataloader.dataset.dataset.pipeline.0.score_file': '${scores}',
             'train_dataloader.dataset.dataset.pipeline.0.ann_files':
             ['${labeled}', '${unlabeled}'],
             'train_cfg.unlabeled_dataloader.dataset.dataset.ann_file':
             '${unlabeled}',
             'train_cfg.unlabeled_dataloader.dataset.dataset.pipeline.0.'
             'score_file': '${scores}',
             'train_cfg.unlabeled_dataloader.dataset.dataset.pipeline.0.'
             'ann_files': ['${labeled}', '${unlabeled}'],
         }),
]
