# LTG, 3D-ResNet18 from scratch, HMDB51 split 1 with 60 % labels of the pool.
_base_ = './ltg_r3d18_8xb5-mu1-8x8x1-47k_hmdb51-split1-40pc.py'

train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            ann_file='data/hmdb51/splits/'
            'hmdb51_train_split_1_60pc_labeled.txt')))
