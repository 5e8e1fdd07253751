"""Pre-processing of (labeled, unlabeled multi-view) batch pairs."""
from typing import Dict, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor

from mmssar.registry import MODELS
from ..semi.semi_step import batch_meta


@MODELS.register_module()
class SemiDataPreprocessor(BaseDataPreprocessor):
    """Wrap a recognizer's data preprocessor for semi-supervised batches.

    In training the semi loops deliver ``(labeled_batch, unlabeled_batch)``.
    The labeled batch goes through the wrapped preprocessor as usual (batch
    blending such as MixUp allowed); every view of the unlabeled batch
    (``inputs`` is ``{view: [tensors]}``) gets the same normalisation without
    blending, optionally after a batched, on-device strong augmentation.
    Outside training — and for plain single-batch data — it is the wrapped
    preprocessor, so validation and test pipelines are untouched.

    Output for a batch pair — always the same shape: a single-view labeled
    batch is the view ``'default'``; the sample metadata that losses and
    monitoring need travel as tensors::

        dict(inputs=dict(sup={view: Tensor}, unsup={view: Tensor}),
             data_samples=dict(sup=[...], unsup=[...]),
             meta=dict(
                 sup=dict(labels=(N,), sample_idx=(N,)),
                 unsup=dict(sample_idx=(M,), hidden_labels=(M,),
                            num_skipped=())))

    ``hidden_labels`` is -1 where the unlabeled list has no label;
    ``sample_idx`` is -1 where the dataset does not record it;
    ``num_skipped`` counts the unreadable unlabeled files replaced in this
    batch.

    Args:
        data_preprocessor (dict): Config of the wrapped preprocessor, e.g.
            the student recognizer's ``ActionDataPreprocessor``.
        view_augments (dict[str, dict], optional): View name -> config of a
            batch augmentation module applied to that unlabeled view before
            normalisation, e.g. ``dict(strong=dict(
            type='BatchVideoRandAugment'))``. Defaults to None.
    """

    def __init__(self,
                 data_preprocessor: dict,
                 view_augments: Optional[Dict[str, dict]] = None) -> None:
        super().__init__()
        self.data_preprocessor = MODELS.build(data_preprocessor)
        self.view_augments = torch.nn.ModuleDict({
            name: MODELS.build(cfg)
            for name, cfg in (view_augments or {}).items()
        })

    # The wrapped preprocessor tracks its own device for ``cast_data``;
    # ``nn.Module.to`` would move its buffers without telling it.
    def to(self, *args, **kwargs):
        self.data_preprocessor.to(*args, **kwargs)
        return super().to(*args, **kwargs)

    def cuda(self, *args, **kwargs):
        self.data_preprocessor.cuda(*args, **kwargs)
        return super().cuda(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        self.data_preprocessor.cpu(*args, **kwargs)
        return super().cpu(*args, **kwargs)

    def forward(self,
                data: Union[dict, Sequence[dict]],
                training: bool = False) -> dict:
        if isinstance(data, dict):
            return self.data_preprocessor(data, training)
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise TypeError('expected a (labeled, unlabeled) batch pair or '
                            f'a single batch dict, got {type(data)}')
        sup, unsup = data
        if isinstance(sup['inputs'], dict):  # several views (e.g. RGB + TG)
            sup = self.cast_data(sup)
            sup_inputs = self._preprocess_views(sup)
        else:
            sup = self.data_preprocessor(sup, training)
            sup_inputs = dict(default=sup['inputs'])
        unsup = self.cast_data(unsup)
        if not isinstance(unsup['inputs'], dict):
            raise TypeError(
                'unlabeled batches must hold several views: end the '
                'unlabeled pipeline with MultiView(views=dict(weak=[...], '
                'strong=[...]))')
        unsup_inputs = self._preprocess_views(unsup)
        return dict(
            inputs=dict(sup=sup_inputs, unsup=unsup_inputs),
            data_samples=dict(
                sup=sup['data_samples'], unsup=unsup['data_samples']),
            meta=batch_meta(sup['data_samples'], unsup['data_samples'],
                            self.device))

    def _preprocess_views(self, batch: dict) -> Dict[str, torch.Tensor]:
        """Normalise every view of a multi-view batch, without blending
        (mixing needs labels, and views of a sample must stay paired)."""
        out = {}
        for name, tensors in batch['inputs'].items():
            if name in self.view_augments:
                stacked = torch.stack(list(tensors)).float()
                tensors = list(self.view_augments[name](stacked).unbind(0))
            out[name], _ = self.data_preprocessor.preprocess(
                tensors, batch['data_samples'], False)
        return out
