# Semi-supervised fine-tuning of ./scdnet_pretrain_1xb64-451e_pku2-xsub.py
# with 10 % of the PKU-MMD II cross-subject training labels, uniform random
# subset (CMD / SCD-Net protocol, averaged over 5 draws): make_split.py
# --protocol random --ratio 0.1 --seed S --out
# <subset_prefix>_10pc_random_seedS, run by the chain
# ./scdnet_chain_pku2-xsub.py (one stage per draw), or alone:
#   SPLIT_SEED=S python tools/train.py THIS_CONFIG --work-dir DIR_S \
#       --cfg-options load_from=PRETRAIN_CHECKPOINT
_base_ = ['./scdnet_finetune_1xb64-80e_pku2-xsub.py']

train_dataloader = dict(
    dataset=dict(ann_file=_base_.subset_prefix +
                 '_10pc_random_seed{{$SPLIT_SEED:0}}_labeled.pkl'))
