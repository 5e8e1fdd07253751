"""Teachers of semi-supervised recognizers: EMA of the student, or frozen."""
from .ema_teacher import TeacherEMA
from .frozen_teacher import FrozenTeacher

__all__ = ['TeacherEMA', 'FrozenTeacher']
