# Mean Teacher, TSM-R50 (ImageNet-pretrained), HMDB51 split 1 with 50 % labels
# of the pool.
_base_ = './meanteacher_tsm-r50-in1k-pre_8xb8-mu2-1x1x8-8k_hmdb51-split1-40pc.py'

ann_file_labeled = 'data/hmdb51/splits/hmdb51_train_split_1_50pc_labeled.txt'
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file_labeled)))
