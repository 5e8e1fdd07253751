# HMDB51 split 1 (51 classes) for semi-supervised training. The loaders of
# the UCF101 base are reused; only the locations change.
#
# SSL pool = all 5,236 clips that are not in the split-1 test set (the
# clips marked 1 "train" and 0 "unused" in the official split files), as in
# VideoSSL / LTG / SVFormer; MMAction2's own train list keeps only the 3,570
# "train" clips. configs/fixmatch/README.md shows how to write the pool list
# `hmdb51_train_split_1_pool_videos.txt` from MMAction2's lists and the
# official split files; labeled subsets then come from
#   python tools/data/make_split.py data/hmdb51/hmdb51_train_split_1_pool_videos.txt \
#       --preset hmdb51-40pct --seed 0 --out data/hmdb51/splits/hmdb51_train_split_1_40pc
_base_ = './semi_ucf101_split1.py'

num_classes = 51
data_preparation = (
    'videos and lists: MMAction2 tools/data/hmdb51, pool list: '
    'configs/fixmatch/README.md; labeled split: python '
    'tools/data/make_split.py '
    'data/hmdb51/hmdb51_train_split_1_pool_videos.txt --preset '
    'hmdb51-<P>pct --seed 0 --out '
    'data/hmdb51/splits/hmdb51_train_split_1_<P>pc')
data_root = 'data/hmdb51/videos'
split_dir = 'data/hmdb51/splits'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_pool_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
ann_file_labeled = f'{split_dir}/hmdb51_train_split_1_40pc_labeled.txt'

train_dataloader = dict(
    dataset=dict(
        num_classes=num_classes,
        dataset=dict(
            ann_file=ann_file_labeled, data_prefix=dict(video=data_root))))
train_cfg = dict(
    unlabeled_dataloader=dict(
        dataset=dict(
            num_classes=num_classes,
            dataset=dict(
                ann_file=ann_file_train,
                data_prefix=dict(video=data_root)))))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
