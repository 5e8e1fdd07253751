# TimeBalance end to end on the synthetic motion set, CPU size:
# pre-training x3 (invariant, distinctive, all) -> fine-tuning of the two
# teachers -> temporal similarity scores (distinctive teacher) -> distillation
# into the student initialised from the `all` pre-training.
#   python tools/run_chain.py configs/timebalance/cpu/timebalance-cpu_chain_20shot_synthetic.py
# Format: docs/stage_chains.md.
pretrain = './timebalance-cpu_pretrain_synthetic.py'
finetune = './timebalance-cpu_finetune_20shot_synthetic.py'
scores = '{work_dir:similarity}/scores.json'
stages = [
    dict(name='pretrain_inv', config=pretrain,
         cfg_options={'model.mode': 'invariant'}),
    dict(name='pretrain_dist', config=pretrain,
         cfg_options={'model.mode': 'distinctive'}),
    dict(name='pretrain_all', config=pretrain,
         cfg_options={'model.mode': 'all'}),
    dict(name='finetune_inv', config=finetune,
         init_from=dict(stage='pretrain_inv', prefix='backbone.')),
    dict(name='finetune_dist', config=finetune,
         init_from=dict(stage='pretrain_dist', prefix='backbone.')),
    dict(name='similarity',
         command=['{python}', 'tools/data/temporal_similarity.py',
                  '{config:finetune_dist}', '--checkpoint',
                  '{checkpoint:finetune_dist}', '--out',
                  '{work_dir}/scores.json', '{cfg_options}']),
    dict(name='distil',
         config='./timebalance-cpu_distil_20shot_synthetic.py',
         init_from=dict(stage='pretrain_all', prefix='backbone.'),
         cfg_options={
             'model.teachers.inv.checkpoint': '{checkpoint:finetune_inv}',
             'model.teachers.dist.checkpoint': '{checkpoint:finetune_dist}',
             'train_dataloader.dataset.dataset.pipeline.0.score_file': scores,
             'train_cfg.unlabeled_dataloader.dataset.dataset.pipeline.0.'
             'score_file': scores,
         }),
]
