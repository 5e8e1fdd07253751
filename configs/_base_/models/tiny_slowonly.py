# A tiny SlowOnly-R18 (width 16) that trains on 2 CPU cores in minutes. Every
# stage and the stem convolve over time: with temporal kernels only in the last
# two stages (as in SlowOnly), a from-scratch model did not pick up motion
# direction at all in 400 iterations (tools/data/synthetic/README.md).
# Used by the quickstart and every tiny CPU config.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=18,
        pretrained=None,
        base_channels=16,
        lateral=False,
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        norm_eval=False),
    cls_head=dict(
        type='I3DHead',
        in_channels=128,
        num_classes=10,
        spatial_type='avg',
        dropout_ratio=0.3,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[127.5, 127.5, 127.5],
        std=[57.5, 57.5, 57.5],
        format_shape='NCTHW'))
