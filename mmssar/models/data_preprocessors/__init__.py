from .batch_augment import BatchVideoRandAugment
from .batch_temporal_perturbation import BatchTemporalPerturbation
from .multi_view_data_preprocessor import MultiViewDataPreprocessor
from .semi_data_preprocessor import SemiDataPreprocessor

__all__ = [
    'BatchVideoRandAugment', 'BatchTemporalPerturbation',
    'MultiViewDataPreprocessor', 'SemiDataPreprocessor'
]
