# FineDiving (3,000 dives, 52 action types; 75 / 25 % train / test) for
# SeFAR's dive-type classification. The dataset ships JPEG frames: lists
# from tools/data/finediving/build_lists.py (RawframeDataset with offsets),
# labeled subsets from tools/data/make_split.py --with-offset; the leaf
# configs swap Decord for RawFrameDecode in the pipelines. SeFAR's protocol:
# labeled and unlabeled lists are disjoint; validation = test list.
_base_ = '../../../_base_/datasets/semi_ucf101_split1.py'

num_classes = 52
data_root = 'data/finediving/FINADiving_MTL_256s'
split_dir = 'data/finediving/splits'
ann_file_train = 'data/finediving/finediving_train_rawframes.txt'
ann_file_val = 'data/finediving/finediving_val_rawframes.txt'
ann_file_labeled = f'{split_dir}/finediving_train_10pc_labeled.txt'
ann_file_unlabeled = f'{split_dir}/finediving_train_10pc_unlabeled.txt'
frames = dict(
    type='RawframeDataset',
    with_offset=True,
    filename_tmpl='{:05d}.jpg',
    data_prefix=dict(_delete_=True, img=data_root))

train_dataloader = dict(
    dataset=dict(
        num_classes=num_classes,
        dataset=dict(ann_file=ann_file_labeled, **frames)))
train_cfg = dict(
    unlabeled_includes_labeled=False,
    unlabeled_dataloader=dict(
        dataset=dict(
            num_classes=num_classes,
            dataset=dict(ann_file=ann_file_unlabeled, **frames))))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, **frames))
test_dataloader = dict(dataset=dict(ann_file=ann_file_val, **frames))
