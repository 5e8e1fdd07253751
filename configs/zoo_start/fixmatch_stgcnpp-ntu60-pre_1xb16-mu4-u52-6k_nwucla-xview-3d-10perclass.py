# FixMatch, ST-GCN++ (joints) started from MMAction2's NTU-60 cross-subject
# 3-D checkpoint, NW-UCLA cross-view with 10 labels per class; the schedule
# and data of configs/fixmatch/*_nwucla-xview-3d-10perclass.py.
#
# The checkpoint's graph has NTU's 25 joints, NW-UCLA's Kinect v1 skeleton
# 20: the joint-wise weights (data_bn statistics, the learned adjacency of
# every block) are re-indexed by `joint_map`, the NW-UCLA joint -> its NTU
# (Kinect v2) joint. Kinect v1's "shoulder centre" (2) is v2's "spine
# shoulder" (20), not v2's new "neck" (2); the other 19 joints keep their
# index. The 60-class head is dropped.
_base_ = [
    '../fixmatch/fixmatch_stgcn_1xb16-mu4-u52-6k_nwucla-xview-3d-10perclass.py',
    '../_base_/models/zoo_checkpoints.py'
]

# ST-GCN++ as in `mmaction::skeleton/stgcnpp/
# stgcnpp_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py`
model = dict(
    student=dict(
        backbone=dict(
            gcn_adaptive='init',
            gcn_with_res=True,
            tcn_type='mstcn',
            graph_cfg=dict(mode='spatial'))))
custom_hooks = [
    dict(type='EMATeacherHook'),
    dict(
        type='PretrainedRecognizerHook',
        checkpoint=_base_.stgcnpp_ntu60_xsub_3d,
        joint_map=[0, 1, 20, *range(3, 20)]),
]
