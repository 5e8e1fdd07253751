# Runtime of semi-supervised configs: iteration-based logging and
# checkpoints, the EMA teacher hook, teacher and student validated in one
# pass and the best teacher kept.
_base_ = './default_runtime.py'

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(
        by_epoch=False,
        interval=1000,
        save_best='acc/teacher_top1',
        rule='greater',
        max_keep_ckpts=3))
custom_hooks = [dict(type='EMATeacherHook')]
log_processor = dict(by_epoch=False)
