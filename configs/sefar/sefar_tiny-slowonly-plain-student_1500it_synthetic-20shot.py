# SeFAR without dual-level temporal elements: the quickstart's plain tiny
# SlowOnly (one 8-frame clip, I3D head with dropout 0.3 for the MC passes)
# with the same strong view (frames 3<->7 and 1<->5 swapped) and the same
# losses. Isolates what the element model adds.
_base_ = './sefar_tiny-slowonly_1500it_synthetic-20shot.py'

model = dict(student=dict(backbone=dict(_delete_=True,
                                        **_base_.student.backbone.backbone),
                          cls_head=dict(
                              _delete_=True,
                              type='I3DHead',
                              in_channels=128,
                              num_classes=_base_.num_classes,
                              spatial_type='avg',
                              dropout_ratio=0.3,
                              average_clips='prob')))
