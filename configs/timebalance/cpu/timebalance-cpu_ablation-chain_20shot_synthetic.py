# The CPU TimeBalance chain plus the ablations of its distillation stage:
# the same student trained from the invariant teacher only (s = 1), the
# distinctive teacher only (s = 0) and their plain average (s = 0.5), next to
# the similarity-weighted mixture of `distil` (scores mapped by (1 + cos) / 2),
# and the weighted student with the scores min-max mapped over the data set
# (`distil_minmax`). The ablations reuse every earlier stage.
# benchmarks/timebalance_synthetic.py runs it.
_base_ = './timebalance-cpu_chain_20shot_synthetic.py'

distil = _base_.stages[-1]
similarity = _base_.stages[-2]
minmax_scores = '{work_dir:similarity_minmax}/scores.json'
stages = _base_.stages + [
    dict(distil,
         name=f'distil_{name}',
         cfg_options={
             **distil['cfg_options'], 'model.semi_train_cfg.fixed_score':
             score
         }) for name, score in (('inv', 1.0), ('dist', 0.0), ('avg', 0.5))
] + [
    dict(similarity,
         name='similarity_minmax',
         command=similarity['command'][:-1] +
         ['--mapping', 'minmax', '{cfg_options}']),
    dict(distil,
         name='distil_minmax',
         cfg_options={
             **distil['cfg_options'],
             'train_dataloader.dataset.dataset.pipeline.0.score_file':
             minmax_scores,
             'train_cfg.unlabeled_dataloader.dataset.dataset.pipeline.0.'
             'score_file': minmax_scores,
         }),
]
