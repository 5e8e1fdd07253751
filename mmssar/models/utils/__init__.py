from .graphs import (GRAPH_LAYOUTS, JHMDB_LAYOUT, KINECT_V1_LAYOUT,
                     get_graph_layout)
from .recognizer_io import (GroupOutput, mc_dropout_logits, per_sample,
                            recognizer_logits, recognizer_num_classes,
                            run_recognizer)

__all__ = [
    'GroupOutput', 'run_recognizer', 'recognizer_logits',
    'recognizer_num_classes', 'per_sample', 'mc_dropout_logits',
    'GRAPH_LAYOUTS', 'JHMDB_LAYOUT', 'KINECT_V1_LAYOUT', 'get_graph_layout'
]
