# Linear evaluation of ./scdnet_pretrain_1xb64-451e_ntu120-xsub.py on NTU
# RGB+D 120 cross-subject: frozen encoder, linear classifier on every
# training label. Also the config of tools/misc/knn_eval.py (1-NN retrieval,
# feature bank `bank_dataloader`). The encoder weights:
# the chain ./scdnet_chain_ntu120-xsub.py loads the pre-trained `backbone.*`
# (alone: --cfg-options load_from=PRETRAIN_CHECKPOINT).
_base_ = [
    '../_base_/datasets/ntu120_xsub.py', '../_base_/models/scdnet_ntu.py',
    '../_base_/protocols/linear_80e.py'
]

model = dict(type='RecognizerGCN',
             backbone={
                 **_base_.encoder,
                 **_base_.encoder_overrides, 'frozen': True
             },
             cls_head=dict(type='GCNHead',
                           num_classes=_base_.num_classes,
                           in_channels=2 * _base_.encoder['d_model']))
train_dataloader = _base_.linear_dataloader
