# MMAction2 1.2.0 model-zoo checkpoints that semi-supervised runs start from
# (the `Weights:` entries of mmaction2's metafiles; see configs/zoo_start).
# TSM-R50, ImageNet-pretrained, 1x1x8, 50 epochs on Kinetics-400
# (recognition/tsm/metafile.yml; top-1 73.18 in the metafile)
tsm_r50_k400 = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/'
    'tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb/'
    'tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb_20220831-'
    '64d69186.pth')
# SlowOnly-R50 from scratch, 8x8x1, 256 epochs on Kinetics-400
# (recognition/slowonly/metafile.yml)
slowonly_r50_k400 = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/slowonly/'
    'slowonly_r50_8xb16-8x8x1-256e_kinetics400-rgb/'
    'slowonly_r50_8xb16-8x8x1-256e_kinetics400-rgb_20220901-2132fc87.pth')
# ST-GCN++ (joint stream), 3-D keypoints, NTU-60 cross-subject
# (skeleton/stgcnpp/metafile.yml)
stgcnpp_ntu60_xsub_3d = (
    'https://download.openmmlab.com/mmaction/v1.0/skeleton/stgcnpp/'
    'stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d/'
    'stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d_20221230-4e455ce3.pth')
