# Kinetics-400 (400 classes) for semi-supervised training. The loaders of
# the UCF101 base are reused; only the locations change.
#
# Lists and folders as written by MMAction2's tools/data/kinetics scripts.
# Labeled subsets follow LTG: 6 (1 %) or 60 (10 %) videos per class,
#   python tools/data/make_split.py data/kinetics400/kinetics400_train_list_videos.txt \
#       --preset kinetics400-1pct --seed 0 --out data/kinetics400/splits/kinetics400_train_1pc
# Unlabeled pool: the whole training list (LTG).
_base_ = './semi_ucf101_split1.py'

num_classes = 400
data_preparation = (
    'videos and lists: MMAction2 tools/data/kinetics; labeled split: '
    'python tools/data/make_split.py '
    'data/kinetics400/kinetics400_train_list_videos.txt --preset '
    'kinetics400-<P>pct --seed 0 --out '
    'data/kinetics400/splits/kinetics400_train_<P>pc')
data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
split_dir = 'data/kinetics400/splits'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_labeled = f'{split_dir}/kinetics400_train_10pc_labeled.txt'

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
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root_val)))
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root_val)))
