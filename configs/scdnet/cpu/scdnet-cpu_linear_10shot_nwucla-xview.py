# Linear evaluation of the SCD-Net encoder pre-trained by
# ./scdnet-cpu_pretrain_nwucla-xview.py: frozen encoder, a linear classifier
# trained on the 10-labels-per-class subset of NW-UCLA cross-view.
# Another checkpoint: --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    '../_base_/datasets/cpu_nwucla_xview.py', '../_base_/models/scdnet_cpu.py',
    '../_base_/protocols/cpu_linear.py'
]

pretrained = 'work_dirs/scdnet-cpu_pretrain_nwucla-xview/iter_400.pth'
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
