# Optimiser of MMAction2's ST-GCN recipe
# (`mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py`):
# SGD with Nesterov momentum 0.9, lr 0.1 for 8 x 16 clips, weight decay
# 5e-4, no gradient clipping. The cosine schedule is set by each config.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True))
# base = labeled clips per iteration (8 GPUs x 16)
auto_scale_lr = dict(enable=False, base_batch_size=128)
