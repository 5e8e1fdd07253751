# Fine-tuning of ./scdnet_pretrain_1xb64-451e_ntu120-xset.py on every
# training label of NTU RGB+D 120 cross-setup.
# The chain ./scdnet_chain_ntu120-xset.py initialises it (load_from of the
# pre-trained `backbone.*`); alone: --cfg-options load_from=CHECKPOINT.
_base_ = [
    '../_base_/datasets/ntu120_xset.py', '../_base_/models/scdnet_ntu.py',
    '../_base_/protocols/finetune_80e.py'
]

model = dict(type='RecognizerGCN',
             backbone={
                 **_base_.encoder,
                 **_base_.encoder_overrides
             },
             cls_head=dict(type='GCNHead',
                           num_classes=_base_.num_classes,
                           in_channels=2 * _base_.encoder['d_model']))
train_dataloader = _base_.labeled_dataloader
