# LTG on the rendered NW-UCLA set, 10 labels per class: the synthetic LTG
# config (RGB + temporal-gradient tiny 3D CNNs) with the data of
# configs/_base_/datasets/rendered_nwucla_xview_10shot.py (the two cannot
# both be bases: MMEngine refuses keys defined by two bases).
_base_ = ['../ltg/ltg_tiny-slowonly_1500it_synthetic-20shot.py']

data_root = '{{$MMSSAR_RENDERED_ROOT:data/rendered}}/nwucla_xview'
prepare_cmd = ('python tools/data/skeleton/render_rgb.py nwucla '
               f'../shared/data/skeleton/nw_ucla --out {data_root}')
data_preparation = prepare_cmd  # not the synthetic base's
num_classes = 10
video_prefix = dict(video=data_root)


def _semi(ann_file):
    return dict(
        dataset=dict(
            num_classes=num_classes,
            prepare_cmd=prepare_cmd,
            dataset=dict(ann_file=ann_file, data_prefix=video_prefix)))


model = dict(student=dict(cls_head=dict(num_classes=num_classes)))
train_dataloader = _semi(f'{data_root}/splits/train_10shot_seed0_labeled.txt')
train_cfg = dict(unlabeled_dataloader=_semi(
    f'{data_root}/splits/train_10shot_seed0_unlabeled.txt'))
val_dataloader = dict(
    dataset=dict(ann_file=f'{data_root}/val.txt', data_prefix=video_prefix))
test_dataloader = val_dataloader
del _semi
