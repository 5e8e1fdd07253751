from .ema_teacher_hook import EMATeacherHook
from .precise_bn_hook import PreciseBNHook
from .pretrained_recognizer_hook import PretrainedRecognizerHook

__all__ = ['EMATeacherHook', 'PreciseBNHook', 'PretrainedRecognizerHook']
