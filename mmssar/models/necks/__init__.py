from .last_stage import LastStageNeck

__all__ = ['LastStageNeck']
