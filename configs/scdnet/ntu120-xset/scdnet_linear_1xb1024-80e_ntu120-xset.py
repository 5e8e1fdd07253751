# Linear evaluation of ./scdnet_pretrain_1xb64-451e_ntu120-xset.py on NTU
# RGB+D 120 cross-setup: frozen encoder, linear classifier on every training
# label. Also the config of tools/misc/knn_eval.py (1-NN retrieval, feature
# bank `bank_dataloader`). Other weights: --cfg-options
# model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    '../_base_/datasets/ntu120_xset.py', '../_base_/models/scdnet_ntu.py',
    '../_base_/protocols/linear_80e.py'
]

pretrained = 'work_dirs/scdnet_pretrain_1xb64-451e_ntu120-xset/epoch_451.pth'
model = dict(type='RecognizerGCN',
             backbone={
                 **_base_.encoder,
                 **_base_.encoder_overrides, 'frozen':
                 True,
                 'init_cfg':
                 dict(type='Pretrained',
                      checkpoint=pretrained,
                      prefix='backbone.')
             },
             cls_head=dict(type='GCNHead',
                           num_classes=_base_.num_classes,
                           in_channels=2 * _base_.encoder['d_model']))
train_dataloader = _base_.linear_dataloader
