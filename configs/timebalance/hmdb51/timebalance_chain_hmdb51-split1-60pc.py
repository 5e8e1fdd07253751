# TimeBalance on HMDB51 split 1, 60 % labels (class-balanced seeded split of
# tools/data/make_split.py --preset hmdb51-60pct --seed 0; not the official
# selection, which trains on 100 %): the chain of ../_base_/timebalance_chain.py.
#   python tools/run_chain.py configs/timebalance/hmdb51/timebalance_chain_hmdb51-split1-60pc.py \
#       --launcher pytorch --gpus 8
# Stage 3 runs 150 x ceil(3142 / 16) = 29550 iterations.
_base_ = '../_base_/timebalance_chain.py'

chain_vars = dict(
    labeled='data/hmdb51/splits/hmdb51_train_split_1_60pc_labeled.txt',
    unlabeled='data/hmdb51/splits/hmdb51_train_split_1_60pc_unlabeled.txt',
    pretrain='./timebalance_pretrain_hmdb51-split1.py',
    finetune='./timebalance_finetune_hmdb51-split1.py',
    distil='./timebalance_distil_hmdb51-split1.py',
    distil_iters=29550)
