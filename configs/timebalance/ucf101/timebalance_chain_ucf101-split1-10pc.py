# TimeBalance on UCF101 split 1, 10 % labels (class-balanced seeded split of
# tools/data/make_split.py --preset ucf101-10pct --seed 0; not the official
# selection, which trains on 100 %): the chain of ../_base_/timebalance_chain.py.
#   python tools/run_chain.py configs/timebalance/ucf101/timebalance_chain_ucf101-split1-10pc.py \
#       --launcher pytorch --gpus 8
# Stage 3 runs 150 x ceil(954 / 16) = 9000 iterations.
_base_ = '../_base_/timebalance_chain.py'

chain_vars = dict(
    labeled='data/ucf101/splits/ucf101_train_split_1_10pc_labeled.txt',
    unlabeled='data/ucf101/splits/ucf101_train_split_1_10pc_unlabeled.txt',
    pretrain='./timebalance_pretrain_ucf101-split1.py',
    finetune='./timebalance_finetune_ucf101-split1.py',
    distil='./timebalance_distil_ucf101-split1.py',
    distil_iters=9000)
