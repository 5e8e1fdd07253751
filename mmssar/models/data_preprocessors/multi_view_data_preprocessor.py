"""Normalise every named view of a multi-view batch (self-supervised)."""
from typing import Dict, Union

from mmengine.model import BaseDataPreprocessor

from mmssar.registry import MODELS


@MODELS.register_module()
class MultiViewDataPreprocessor(BaseDataPreprocessor):
    """Apply a recognizer's preprocessor to each view of ``{view: [T]}``.

    A ``MultiView`` / ``SparseDenseViews`` pipeline packs ``inputs`` as a
    dict of views; MMAction2's ``ActionDataPreprocessor`` only takes one
    tensor list. Each view is stacked, cast and normalised by the wrapped
    preprocessor (no batch blending: views of a sample stay paired). A
    single-tensor batch goes to the wrapped preprocessor unchanged.

    Output: ``dict(inputs={view: Tensor (N, num_clips, C, T, H, W)},
    data_samples=[...])``.

    Args:
        data_preprocessor (dict): E.g. ``dict(type='ActionDataPreprocessor',
            mean=..., std=..., format_shape='NCTHW')``.
    """

    def __init__(self, data_preprocessor: dict) -> None:
        super().__init__()
        self.data_preprocessor = MODELS.build(data_preprocessor)

    def to(self, *args, **kwargs):
        self.data_preprocessor.to(*args, **kwargs)
        return super().to(*args, **kwargs)

    def cuda(self, *args, **kwargs):
        self.data_preprocessor.cuda(*args, **kwargs)
        return super().cuda(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        self.data_preprocessor.cpu(*args, **kwargs)
        return super().cpu(*args, **kwargs)

    def forward(self, data: dict, training: bool = False
                ) -> Dict[str, Union[dict, list]]:
        if not isinstance(data.get('inputs'), dict):
            return self.data_preprocessor(data, training)
        data = self.cast_data(data)
        samples = data.get('data_samples')
        inputs = {}
        for name, tensors in data['inputs'].items():
            inputs[name], _ = self.data_preprocessor.preprocess(
                tensors, samples, False)
        return dict(inputs=inputs, data_samples=samples)
