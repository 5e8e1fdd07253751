from .graphs import (GRAPH_LAYOUTS, JHMDB_LAYOUT, KINECT_V1_LAYOUT,
                     get_graph_layout)
from .recognizer_io import (per_sample, recognizer_logits,
                            recognizer_num_classes)
from .teacher_ema import TeacherEMA

__all__ = [
    'recognizer_logits', 'recognizer_num_classes', 'per_sample', 'TeacherEMA',
    'GRAPH_LAYOUTS', 'JHMDB_LAYOUT', 'KINECT_V1_LAYOUT', 'get_graph_layout'
]
