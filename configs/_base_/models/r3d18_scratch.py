# 3D-ResNet18 trained from scratch, 8x8x1 clips at 224 px: the backbone of
# LTG (Xiao et al., CVPR 2022) and of its FixMatch baseline. MMAction2's
# R(2+1)D-34 recipe model has exactly LTG's stem, strides, SyncBN(eps=1e-3)
# and I3DHead settings, so only the block type and depth change.
_base_ = 'mmaction::_base_/models/r2plus1d_r34.py'

model = dict(
    backbone=dict(
        type='ResNet3d',
        depth=18,
        pretrained=None,
        pretrained2d=False,
        conv_cfg=dict(type='Conv3d')),
    cls_head=dict(in_channels=512))
