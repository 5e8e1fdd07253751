from .ema_teacher_hook import EMATeacherHook
from .precise_bn_hook import PreciseBNHook

__all__ = ['EMATeacherHook', 'PreciseBNHook']
