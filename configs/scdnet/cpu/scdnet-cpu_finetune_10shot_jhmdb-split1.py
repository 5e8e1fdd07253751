# Semi-supervised fine-tuning (CMD / SCD-Net protocol): the whole network
# trained on the 10-labels-per-class subset of JHMDB 2-D split 1.
# Initialised from ./scdnet-cpu_pretrain_jhmdb-split1.py by the chain
# ./scdnet-cpu_chain_jhmdb-split1.py (alone: --cfg-options load_from=CHECKPOINT);
# without it, the no-pre-training control.
_base_ = [
    '../_base_/datasets/cpu_jhmdb_split1.py', '../_base_/models/scdnet_cpu.py',
    '../_base_/protocols/cpu_supervised.py'
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
