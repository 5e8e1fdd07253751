# LTG, 3D-ResNet18 from scratch, UCF101 split 1 with 5 % labels.
_base_ = './ltg_r3d18_8xb5-mu1-8x8x1-43k_ucf101-split1-10pc.py'

train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            ann_file='data/ucf101/splits/'
            'ucf101_train_split_1_5pc_labeled.txt')))
