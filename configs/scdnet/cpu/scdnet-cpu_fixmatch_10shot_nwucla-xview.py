# FixMatch whose student is the SCD-Net fine-tuning model of
# ./scdnet-cpu_finetune_10shot_nwucla-xview.py: 10 labels per class of
# NW-UCLA cross-view plus the remaining training clips as unlabeled data.
# The chain ./scdnet-cpu_chain_nwucla-xview.py initialises the student (and its
# EMA teacher) from pre-training through load_from.
_base_ = [
    '../_base_/datasets/cpu_nwucla_xview.py', '../_base_/models/scdnet_cpu.py',
    '../_base_/protocols/cpu_fixmatch.py'
]

model = dict(type='FixMatchRecognizer',
             student=dict(type='RecognizerGCN',
                          backbone={
                              **_base_.encoder,
                              **_base_.encoder_overrides
                          },
                          cls_head=dict(type='GCNHead',
                                        num_classes=_base_.num_classes,
                                        in_channels=2 *
                                        _base_.encoder['d_model'])),
             **_base_.fixmatch)
train_dataloader = _base_.semi_labeled_dataloader
train_cfg = dict(unlabeled_dataloader=_base_.unlabeled_dataloader)
