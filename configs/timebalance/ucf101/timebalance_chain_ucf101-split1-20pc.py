# TimeBalance on UCF101 split 1, 20 % labels (class-balanced seeded split of
# tools/data/make_split.py --preset ucf101-20pct --seed 0; not the official
# selection, which trains on 100 %): pre-training x3 -> fine-tuning of both
# teachers -> temporal similarity scores -> distillation.
#   python tools/run_chain.py configs/timebalance/ucf101/timebalance_chain_ucf101-split1-20pc.py \
#       --launcher pytorch --gpus 8
# Stage 3 runs 150 x ceil(1907 / 16) = 18000 iterations.
labeled = 'data/ucf101/splits/ucf101_train_split_1_20pc_labeled.txt'
unlabeled = 'data/ucf101/splits/ucf101_train_split_1_20pc_unlabeled.txt'
scores = '{work_dir:similarity}/scores.json'
pretrain = './timebalance_pretrain_ucf101-split1.py'
finetune = './timebalance_finetune_ucf101-split1.py'
stages = [
    dict(name='pretrain_inv', config=pretrain,
         cfg_options={'model.mode': 'invariant'}),
    dict(name='pretrain_dist', config=pretrain,
         cfg_options={'model.mode': 'distinctive'}),
    dict(name='pretrain_all', config=pretrain,
         cfg_options={'model.mode': 'all'}),
    dict(name='finetune_inv', config=finetune,
         init_from=dict(stage='pretrain_inv', prefix='backbone.'),
         cfg_options={'train_dataloader.dataset.ann_file': labeled}),
    dict(name='finetune_dist', config=finetune,
         init_from=dict(stage='pretrain_dist', prefix='backbone.'),
         cfg_options={'train_dataloader.dataset.ann_file': labeled}),
    dict(name='similarity', launcher='none',
         command=['{python}', 'tools/data/temporal_similarity.py',
                  '{config:finetune_dist}', '--checkpoint',
                  '{checkpoint:finetune_dist}', '--out',
                  '{work_dir}/scores.json', '{cfg_options}']),
    dict(name='distil',
         config='./timebalance_distil_ucf101-split1.py',
         init_from=dict(stage='pretrain_all', prefix='backbone.'),
         cfg_options={
             'model.teachers.inv.checkpoint': '{checkpoint:finetune_inv}',
             'model.teachers.dist.checkpoint': '{checkpoint:finetune_dist}',
             'train_cfg.max_iters': 18000,
             'train_dataloader.dataset.dataset.ann_file': labeled,
             'train_dataloader.dataset.dataset.pipeline.0.score_file': scores,
             'train_dataloader.dataset.dataset.pipeline.0.ann_files':
             [labeled, unlabeled],
             'train_cfg.unlabeled_dataloader.dataset.dataset.ann_file':
             unlabeled,
             'train_cfg.unlabeled_dataloader.dataset.dataset.pipeline.0.'
             'score_file': scores,
             'train_cfg.unlabeled_dataloader.dataset.dataset.pipeline.0.'
             'ann_files': [labeled, unlabeled],
         }),
]
