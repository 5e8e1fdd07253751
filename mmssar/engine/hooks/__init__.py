from .ema_teacher_hook import EMATeacherHook, ensure_ema_teacher
from .frozen_teacher_check_hook import FrozenTeacherCheckHook
from .finite_guard import FiniteCheckpointHook, non_finite_tensors
from .precise_bn_hook import PreciseBNHook
from .pretrained_recognizer_hook import PretrainedRecognizerHook
from .sample_error_hook import SampleErrorHook

__all__ = [
    'EMATeacherHook', 'ensure_ema_teacher', 'FiniteCheckpointHook',
    'non_finite_tensors', 'PreciseBNHook', 'SampleErrorHook',
    'PretrainedRecognizerHook', 'FrozenTeacherCheckHook'
]
