# NW-UCLA cross-view rendered as RGB clips (tools/data/skeleton/render_rgb.py:
# real skeleton motion, synthetic appearance; seen from the front of the
# body, the renderer's default), train views 1+2 / val view 3, 10 labels per
# class (split seed 0; seeds 1, 2 are written beside it). The pipelines are
# the synthetic quickstart's (8 uniformly sampled frames, no flips, 56 x 56).
# Override the location with MMSSAR_RENDERED_ROOT.
_base_ = './synthetic_motion_20shot.py'

data_root = '{{$MMSSAR_RENDERED_ROOT:data/rendered}}/nwucla_xview'
prepare_cmd = ('python tools/data/skeleton/render_rgb.py nwucla '
               f'../shared/data/skeleton/nw_ucla --out {data_root}')
# the hint of a missing-data error (the synthetic base's would be wrong)
data_preparation = prepare_cmd
num_classes = 10
split_seed = 0
ann_file_train = f'{data_root}/train.txt'
ann_file_labeled = (
    f'{data_root}/splits/train_10shot_seed{split_seed}_labeled.txt')
ann_file_unlabeled = (
    f'{data_root}/splits/train_10shot_seed{split_seed}_unlabeled.txt')
ann_file_val = f'{data_root}/val.txt'
video_prefix = dict(video=data_root)

train_dataloader = dict(
    dataset=dict(
        num_classes=num_classes,
        prepare_cmd=prepare_cmd,
        dataset=dict(ann_file=ann_file_labeled, data_prefix=video_prefix)))
unlabeled_dataloader = dict(
    dataset=dict(
        num_classes=num_classes,
        prepare_cmd=prepare_cmd,
        dataset=dict(ann_file=ann_file_unlabeled, data_prefix=video_prefix)))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=video_prefix))
test_dataloader = val_dataloader
