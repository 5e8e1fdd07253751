from .ema_teacher_hook import EMATeacherHook, ensure_ema_teacher
from .finite_guard import FiniteCheckpointHook, non_finite_tensors
from .precise_bn_hook import PreciseBNHook

__all__ = [
    'EMATeacherHook', 'ensure_ema_teacher', 'FiniteCheckpointHook',
    'non_finite_tensors', 'PreciseBNHook'
]
