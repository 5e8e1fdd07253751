"""Evaluation helpers of mmssar."""
from .knn import (backbone_features, extract_features,  # noqa: F401
                  knn_accuracy, knn_classify, pool_features)
