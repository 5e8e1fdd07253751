# The tiny SeFAR config with the RELEASED CODE's strong view: the fine
# elements' colour channels flipped (dim 1 of (B, C, T, H, W)) instead of
# their time order, then channel dropout 0.2 (around the normalisation mean
# 127.5). For comparison with the paper's temporal reversal only.
_base_ = './sefar_tiny-slowonly_1500it_synthetic-20shot.py'

# the tiny config's multi-view step with its first strong transform (the
# reversal) replaced; everything else as there
unlabeled_pipeline = [
    *_base_.unlabeled_pipeline[:-1],
    dict(_base_.unlabeled_pipeline[-1], views=dict(
        weak=_base_.unlabeled_pipeline[-1].views.weak,
        strong=[dict(type='TemporalPerturbation', mode='channel_flip',
                     scope='fine', element_sizes=_base_.element_sizes,
                     channel_dropout=0.2, dropout_center=127.5),
               *_base_.unlabeled_pipeline[-1].views.strong[1:]]))
]
train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(dataset=dict(pipeline=unlabeled_pipeline))))
