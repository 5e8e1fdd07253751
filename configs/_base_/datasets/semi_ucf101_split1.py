# UCF101 split 1 (9,537 train / 3,783 test videos, 101 classes) for
# semi-supervised training.
#
# Lists as written by MMAction2's tools/data/ucf101 scripts (0-based labels,
# `ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 0`); labeled subsets written
# by mmssar's tools/data/make_split.py (docs/data_preparation.md), e.g.
#   python tools/data/make_split.py data/ucf101/ucf101_train_split_1_videos.txt \
#       --preset ucf101-10pct --seed 0 --out data/ucf101/splits/ucf101_train_split_1_10pc
# which writes `..._10pc_labeled.txt`, `..._10pc_unlabeled.txt` and
# `..._10pc_split.json`.
#
# Unlabeled pool: the whole training list, labeled videos included (the
# FixMatch / LTG convention), hence `unlabeled_includes_labeled=True`. For
# the disjoint protocol point the unlabeled loader at `..._unlabeled.txt`
# and set `unlabeled_includes_labeled=False`.
#
# The pipelines are not set here: they depend on the clip format of the
# model and come from `semi_video_pipelines_*.py` (see the configs under
# configs/fixmatch).
dataset_type = 'VideoDataset'
num_classes = 101
data_preparation = (
    'videos and lists: MMAction2 tools/data/ucf101; labeled split: python '
    'tools/data/make_split.py data/ucf101/ucf101_train_split_1_videos.txt '
    '--preset ucf101-<P>pct --seed 0 --out '
    'data/ucf101/splits/ucf101_train_split_1_<P>pc (docs/data_preparation.md)')
data_root = 'data/ucf101/videos'
split_dir = 'data/ucf101/splits'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'
ann_file_labeled = f'{split_dir}/ucf101_train_split_1_10pc_labeled.txt'

train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='SemiSampler', shuffle=True),
    dataset=dict(
        type='SemiDataset',
        role='labeled',
        num_classes=num_classes,
        dataset=dict(
            type=dataset_type,
            ann_file=ann_file_labeled,
            data_prefix=dict(video=data_root))))
train_cfg = dict(
    type='SemiIterBasedTrainLoop',
    unlabeled_includes_labeled=True,
    unlabeled_dataloader=dict(
        batch_size=16,
        num_workers=8,
        persistent_workers=True,
        sampler=dict(type='SemiSampler', shuffle=True),
        dataset=dict(
            type='SemiDataset',
            role='unlabeled',
            num_classes=num_classes,
            dataset=dict(
                type=dataset_type,
                ann_file=ann_file_train,
                data_prefix=dict(video=data_root)))))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        test_mode=True))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
