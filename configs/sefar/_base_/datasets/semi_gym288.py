# gym288 for SeFAR (the loaders of the UCF101 base, other locations).
# Lists: see configs/sefar/README.md (data preparation). SeFAR's protocol:
# labeled and unlabeled lists are disjoint; validation = test list.
_base_ = '../../../_base_/datasets/semi_ucf101_split1.py'

num_classes = 288
data_root = 'data/gym/videos'
split_dir = 'data/gym/splits'
ann_file_train = 'data/gym/gym288_train_videos.txt'
ann_file_val = 'data/gym/gym288_val_videos.txt'
ann_file_labeled = f'{split_dir}/gym288_train_10pc_labeled.txt'
ann_file_unlabeled = f'{split_dir}/gym288_train_10pc_unlabeled.txt'

train_dataloader = dict(
    dataset=dict(
        num_classes=num_classes,
        dataset=dict(
            ann_file=ann_file_labeled, data_prefix=dict(video=data_root))))
train_cfg = dict(
    unlabeled_includes_labeled=False,
    unlabeled_dataloader=dict(
        dataset=dict(
            num_classes=num_classes,
            dataset=dict(
                ann_file=ann_file_unlabeled,
                data_prefix=dict(video=data_root)))))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
