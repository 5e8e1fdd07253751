from .batch_augment import BatchVideoRandAugment
from .semi_data_preprocessor import SemiDataPreprocessor

__all__ = ['BatchVideoRandAugment', 'SemiDataPreprocessor']
