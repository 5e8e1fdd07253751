# Linear evaluation of the CPU-sized SCD-Net encoder: frozen encoder, a
# linear classifier trained on the 10-labels-per-class subset of
# JHMDB 2-D split 1.
# The encoder weights come from ./scdnet-cpu_pretrain_jhmdb-split1.py through the
# chain ./scdnet-cpu_chain_jhmdb-split1.py (load_from of its `backbone.*`);
# alone: --cfg-options load_from=PRETRAIN_CHECKPOINT. Without either the
# probe runs on a randomly initialised encoder (the control of the probe).
# The pooled feature is standardised before the classifier
# (StandardizedGCNHead): a 100-clip probe on raw features is ill-conditioned.
_base_ = [
    '../_base_/datasets/cpu_jhmdb_split1.py', '../_base_/models/scdnet_cpu.py',
    '../_base_/protocols/cpu_linear.py'
]

model = dict(type='RecognizerGCN',
             backbone={
                 **_base_.encoder,
                 **_base_.encoder_overrides, 'frozen': True
             },
             cls_head=dict(type='StandardizedGCNHead',
                           num_classes=_base_.num_classes,
                           in_channels=2 * _base_.encoder['d_model']))
train_dataloader = _base_.linear_dataloader
