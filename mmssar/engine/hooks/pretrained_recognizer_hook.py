"""Start a (semi-supervised) run from a model-zoo recognizer checkpoint."""
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper

from mmssar.registry import HOOKS
from mmssar.utils.pretrained import load_pretrained_recognizer


@HOOKS.register_module()
class PretrainedRecognizerHook(Hook):
    """Load a plain recognizer checkpoint (path or URL) before training.

    Student and teacher both start from it: the checkpoint goes into the
    student (or into a plain recognizer), then the teacher is made an exact
    copy. Unlike a non-strict ``load_from``, every key must fit: a head with
    another number of classes is dropped and re-learned, PYSKL's
    ``cls_head.fc_cls`` is mapped to ``GCNHead``'s ``fc``, other joints are
    mapped by ``joint_map`` or refused (see
    :mod:`mmssar.utils.pretrained`).

    Only a fresh start loads it: a resumed run (iteration > 0) or a run with
    ``load_from`` keeps its own weights.

    Args:
        checkpoint (str): Path or URL of the checkpoint.
        joint_map (Sequence[int], optional): For a GCN of another skeleton
            layout, the checkpoint joint of every model joint.
    """

    # before EMATeacherHook ('ABOVE_NORMAL'), which copies student -> teacher
    priority = 'VERY_HIGH'

    def __init__(self, checkpoint: str,
                 joint_map: Optional[Sequence[int]] = None) -> None:
        self.checkpoint = checkpoint
        self.joint_map = list(joint_map) if joint_map is not None else None

    def before_train(self, runner) -> None:
        logger = MMLogger.get_current_instance()
        if runner.iter > 0 or getattr(runner, '_load_from', None):
            logger.info('PretrainedRecognizerHook: the run resumes or has '
                        f'load_from; {self.checkpoint} is not loaded')
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        recognizer = getattr(model, 'student', model)
        notes = load_pretrained_recognizer(recognizer, self.checkpoint,
                                           self.joint_map)
        if hasattr(model, 'sync_teacher'):
            model.sync_teacher()
        logger.info(f'started from {self.checkpoint}' +
                    (f' ({"; ".join(notes)})' if notes else ''))
