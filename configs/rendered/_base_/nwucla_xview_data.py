# The rendered NW-UCLA data (see ../../_base_/datasets/rendered_nwucla_xview_
# 10shot.py) for a method config written for the synthetic motion set: a
# leaf takes this file as its second base and assigns the rendered_* values
# below to its own keys (prefixed names, because MMEngine refuses a key
# that two bases define; the data paths of the synthetic base were
# resolved before any override, so every path is given here).
rendered_data_root = '{{$MMSSAR_RENDERED_ROOT:data/rendered}}/nwucla_xview'
prepare_cmd = (
    'python tools/data/skeleton/render_rgb.py nwucla '
    f'../shared/data/skeleton/nw_ucla --out {rendered_data_root}')
rendered_num_classes = 10
rendered_prefix = dict(video=rendered_data_root)
rendered_splits = f'{rendered_data_root}/splits/train_10shot_seed0'


def _wrapped(ann_file):
    return dict(
        num_classes=rendered_num_classes,
        prepare_cmd=prepare_cmd,
        dataset=dict(ann_file=ann_file, data_prefix=rendered_prefix))


rendered_labeled = dict(dataset=_wrapped(f'{rendered_splits}_labeled.txt'))
rendered_unlabeled = dict(
    dataset=_wrapped(f'{rendered_splits}_unlabeled.txt'))
rendered_all_train = dict(
    dataset=_wrapped(f'{rendered_data_root}/train.txt'))
rendered_val = dict(dataset=dict(ann_file=f'{rendered_data_root}/val.txt',
                                 data_prefix=rendered_prefix))
del _wrapped
