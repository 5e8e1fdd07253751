# A 2 M-parameter 3D CNN (SlowOnly-R18 at width 16) that trains on 2 CPU
# cores in minutes; temporal convolutions in the last two stages, so it can
# learn motion. Used by the quickstart and every tiny CPU config.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=18,
        pretrained=None,
        base_channels=16,
        lateral=False,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(0, 0, 1, 1),
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
