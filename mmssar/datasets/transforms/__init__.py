"""Data transforms (registered into ``mmssar.registry.TRANSFORMS``)."""
from .multi_view import MultiView  # noqa: F401
from .multi_scale_sample_frames import MultiScaleSampleFrames  # noqa: F401
from .select_clip import SelectClip  # noqa: F401
from .element_group_sample import ElementGroupSample  # noqa: F401
from .temporal_perturbation import TemporalPerturbation  # noqa: F401
from .video_randaugment import VideoRandAugment  # noqa: F401
from .temporal_gradient import (LoadOfflineTemporalGradient,  # noqa: F401
                                PickModality, SampleFramesWithNext,
                                TemporalGradient, UniformSampleWithNext)
from .skeleton_augment import (GaussianNoise, JointMask,  # noqa: F401
                               RandomRotation, RandomScale, RandomShear,
                               TemporalCropResize, TemporalPadCrop)
from .scdnet_transforms import (SCDJointSwapFlip, SCDPreNormalize,  # noqa: F401
                                SCDRandomRotate, SCDRandomShear,
                                SCDStructuralJointMask, SCDTemporalBlockMask,
                                SCDTemporalCropResize)
from .sparse_dense_sample import (SparseDenseSampleFrames,  # noqa: F401
                                  sparse_dense_indices)
from .sparse_dense_views import (SparseDenseViews,  # noqa: F401
                                 sparse_dense_view_names)
from .load_temporal_similarity import LoadTemporalSimilarity  # noqa: F401
