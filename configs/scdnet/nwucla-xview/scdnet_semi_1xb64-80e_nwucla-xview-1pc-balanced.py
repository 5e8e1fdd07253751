# Semi-supervised fine-tuning of ./scdnet_pretrain_1xb64-451e_nwucla-xview.py
# with 1 % of the NW-UCLA cross-view training labels, class-balanced subset
# (CrosSCLR / AimCLR protocol): make_split.py --ratio 0.01 --seed 0 --out
# <subset_prefix>_1pc_balanced (configs/scdnet/README.md).
_base_ = ['./scdnet_finetune_1xb64-80e_nwucla-xview.py']

train_dataloader = dict(dataset=dict(
    ann_file=f'{_base_.subset_prefix}_1pc_balanced_labeled.pkl'))
