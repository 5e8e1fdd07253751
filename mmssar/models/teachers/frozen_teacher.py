"""A teacher whose weights come from a checkpoint and never change."""
import copy
from typing import Optional, Union

from torch import nn

from mmssar.registry import MODELS
from mmssar.utils.checkpoint import load_recognizer_weights


@MODELS.register_module()
class FrozenTeacher(nn.Module):
    """A fixed recognizer (e.g. a fine-tuned TimeBalance teacher).

    Frozen (no gradients), always in eval mode (MC-dropout passes switch on
    only its dropout layers, see
    :func:`~mmssar.models.utils.recognizer_io.mc_dropout_logits`), saved in
    the enclosing model's ``state_dict`` (so a resumed run does not need the
    original file) and never touched by the EMA hook.

    Args:
        model (nn.Module | dict): The architecture: a recognizer config, or a
            module to deep-copy (the semi recognizer passes its student, so
            by default the teacher has the student's architecture).
        checkpoint (str, optional): File or URL loaded by :meth:`init_weights`:
            a plain MMAction2 recognizer checkpoint, one exported by
            ``tools/misc/export_checkpoint.py``, or an mmssar training
            checkpoint (then ``network`` names which of its networks).
            None: the weights come from a resumed / loaded run checkpoint.
        network (str, optional): Network of an mmssar training checkpoint to
            load (``'student'``, a teacher name, ...). Defaults to None.
    """

    is_ema = False

    def __init__(self,
                 model: Union[nn.Module, dict],
                 checkpoint: Optional[str] = None,
                 network: Optional[str] = None) -> None:
        super().__init__()
        if isinstance(model, nn.Module):
            self.module = copy.deepcopy(model)
        else:
            model = copy.deepcopy(model)
            model.pop('data_preprocessor', None)
            self.module = MODELS.build(model)
        self.checkpoint = checkpoint
        self.network = network
        self.module.requires_grad_(False)
        self.module.eval()

    def init_weights(self) -> None:
        if self.checkpoint is not None:
            load_recognizer_weights(self.module, self.checkpoint,
                                    self.network)

    def train(self, mode: bool = True):
        # A teacher predicts targets: dropout off, BN statistics frozen.
        return super().train(False)

    def extra_repr(self) -> str:
        return f'checkpoint={self.checkpoint!r}'
