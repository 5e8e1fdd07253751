from .batch_augment import BatchVideoRandAugment
from .multi_view_data_preprocessor import MultiViewDataPreprocessor
from .semi_data_preprocessor import SemiDataPreprocessor

__all__ = [
    'BatchVideoRandAugment', 'MultiViewDataPreprocessor',
    'SemiDataPreprocessor'
]
