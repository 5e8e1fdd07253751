from .batch_augment import BatchVideoRandAugment
from .batch_temporal_perturbation import BatchTemporalPerturbation
from .semi_data_preprocessor import SemiDataPreprocessor

__all__ = [
    'BatchVideoRandAugment', 'BatchTemporalPerturbation',
    'SemiDataPreprocessor'
]
