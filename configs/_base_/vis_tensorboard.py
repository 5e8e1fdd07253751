# Opt-in TensorBoard logging next to the default local logs
# (needs `pip install -e '.[tensorboard]'`).
#
# LocalVisBackend stays, so `vis_data/scalars.json` (read by
# tools/analysis/plot_ssl_curves.py and the benchmarks) is still written;
# the event files go next to it, `WORK_DIR/TIMESTAMP/vis_data/`:
#   tensorboard --logdir <the runs' work directories>
#
# Use it in any config by adding this file to `_base_` and one line:
#   _base_ = [..., '../_base_/vis_tensorboard.py']
#   visualizer = dict(vis_backends=_base_.tensorboard_vis_backends)
# or swap the runtime base for semi_runtime_tensorboard.py /
# default_runtime_tensorboard.py, which do exactly that. (The runtimes
# already define `visualizer`, and MMEngine refuses a key defined by two
# sibling bases, hence the separate name.)
tensorboard_vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend'),
]
