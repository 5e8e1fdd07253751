# semi_runtime.py with TensorBoard logging added (vis_tensorboard.py).
_base_ = ['./semi_runtime.py', './vis_tensorboard.py']

visualizer = dict(vis_backends=_base_.tensorboard_vis_backends)
