# TimeBalance's network: SlowOnly-R50 ("R3D50" = PyTorchVideo slow_r50) from
# scratch (no ImageNet), temporal convolutions in res4/res5 only, no temporal
# down-sampling. Inputs in [0, 1] without mean/std normalisation, RGB (the
# official code; one channel order for every stage and network here).
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=50,
        pretrained=None,
        lateral=False,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(0, 0, 1, 1),
        norm_eval=False),
    cls_head=dict(
        type='I3DHead',
        in_channels=2048,
        num_classes=101,
        spatial_type='avg',
        dropout_ratio=0.5,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        format_shape='NCTHW'))
