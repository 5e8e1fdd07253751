"""Models, algorithms, losses and components of mmssar."""
from . import backbones  # noqa: F401
from . import data_preprocessors  # noqa: F401
from . import heads  # noqa: F401
from . import losses  # noqa: F401
from . import memories  # noqa: F401
from . import selfsup  # noqa: F401
from . import semi  # noqa: F401
from . import task_modules  # noqa: F401
from . import teachers  # noqa: F401
from . import utils  # noqa: F401
from .semi import (FixMatchRecognizer, MeanTeacherRecognizer,  # noqa: F401
                   SemiRecognizer)
