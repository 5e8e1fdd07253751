# Mean Teacher, TSM-R50 (ImageNet-pretrained), UCF101 split 1 with 1 % labels.
_base_ = './meanteacher_tsm-r50-in1k-pre_8xb8-mu2-1x1x8-15k_ucf101-split1-10pc.py'

ann_file_labeled = 'data/ucf101/splits/ucf101_train_split_1_1pc_labeled.txt'
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file_labeled)))
