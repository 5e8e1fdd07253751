# TimeBalance on UCF101 split 1, 50 % labels (class-balanced seeded split of
# tools/data/make_split.py --preset ucf101-50pct --seed 0; not the official
# selection, which trains on 100 %): the chain of ../_base_/timebalance_chain.py.
#   python tools/run_chain.py configs/timebalance/ucf101/timebalance_chain_ucf101-split1-50pc.py \
#       --launcher pytorch --gpus 8
# Stage 3 runs 150 x ceil(4768 / 16) = 44700 iterations.
_base_ = '../_base_/timebalance_chain.py'

chain_vars = dict(
    labeled='data/ucf101/splits/ucf101_train_split_1_50pc_labeled.txt',
    unlabeled='data/ucf101/splits/ucf101_train_split_1_50pc_unlabeled.txt',
    pretrain='./timebalance_pretrain_ucf101-split1.py',
    finetune='./timebalance_finetune_ucf101-split1.py',
    distil='./timebalance_distil_ucf101-split1.py',
    distil_iters=44700)
