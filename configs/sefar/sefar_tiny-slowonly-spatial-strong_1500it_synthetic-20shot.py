# The tiny SeFAR config with a spatial-only strong view (the paper's
# "spatial-only" temporal-augmentation ablation): FixMatch's clip-consistent
# RandAugment instead of the reversal inside the fine elements. On the
# synthetic set, whose classes are motion directions, reversing frames can
# change the class; this row measures what the reversal costs there.
_base_ = './sefar_tiny-slowonly_1500it_synthetic-20shot.py'

# the tiny config's multi-view step with its first strong transform (the
# reversal) replaced; everything else as there
unlabeled_pipeline = [
    *_base_.unlabeled_pipeline[:-1],
    dict(_base_.unlabeled_pipeline[-1], views=dict(
        weak=_base_.unlabeled_pipeline[-1].views.weak,
        strong=[dict(type='VideoRandAugment', num_ops=2, magnitude=10),
               *_base_.unlabeled_pipeline[-1].views.strong[1:]]))
]
train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(dataset=dict(pipeline=unlabeled_pipeline))))
