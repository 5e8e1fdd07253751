# Semi-supervised fine-tuning of ./scdnet_pretrain_1xb64-451e_ntu120-xset.py
# with 10 % of the NTU RGB+D 120 cross-setup training labels, class-balanced
# subset (CrosSCLR / AimCLR protocol): make_split.py --ratio 0.1 --seed 0
# --out <subset_prefix>_10pc_balanced (configs/scdnet/README.md).
_base_ = ['./scdnet_finetune_1xb64-80e_ntu120-xset.py']

train_dataloader = dict(dataset=dict(
    ann_file=f'{_base_.subset_prefix}_10pc_balanced_labeled.pkl'))
