# FixMatch on top of the pre-trained SCD-Net encoder: the FixMatch setting
# of ./stgcn-tiny_fixmatch_10shot_jhmdb-split1.py with the student of
# ./scdnet-cpu_finetune_10shot_jhmdb-split1.py.
_base_ = [
    './stgcn-tiny_fixmatch_10shot_jhmdb-split1.py',
    '../_base_/models/scdnet_cpu.py'
]

pretrained = 'work_dirs/scdnet-cpu_pretrain_jhmdb-split1/iter_400.pth'
model = dict(student=dict(
    _delete_=True,
    type='RecognizerGCN',
    backbone={
        **_base_.encoder,
        **_base_.encoder_overrides, 'init_cfg':
        dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')
    },
    cls_head=dict(type='GCNHead',
                  num_classes=_base_.num_classes,
                  in_channels=2 * _base_.encoder['d_model'])))
