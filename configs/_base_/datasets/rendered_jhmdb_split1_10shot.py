# JHMDB ground-truth 2-D joints, official split 1, rendered as RGB clips
# (tools/data/skeleton/render_rgb.py), 14 classes, 10 labels per class
# (split seed 0). Pipelines as the rendered NW-UCLA set.
_base_ = './rendered_nwucla_xview_10shot.py'

data_root = '{{$MMSSAR_RENDERED_ROOT:data/rendered}}/jhmdb_split1'
prepare_cmd = ('python tools/data/skeleton/render_rgb.py jhmdb '
               '../shared/data/skeleton/jhmdb_gt_pose --split 1 '
               f'--out {data_root}')
# the hint of a missing-data error (the synthetic base's would be wrong)
data_preparation = prepare_cmd
num_classes = 14
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
