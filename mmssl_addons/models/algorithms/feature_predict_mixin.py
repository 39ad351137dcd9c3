"""``mode='predict'`` for self-supervised algorithms (feature evaluation)."""
from typing import List, Optional, Union

import torch
from mmpretrain.structures import DataSample


class FeaturePredictMixin:
    """Give a :class:`BaseSelfSupervisor` a ``predict`` mode.

    mmpretrain's self-supervised algorithms only know ``tensor`` and
    ``loss``; with this mixin ``tools/test.py`` can evaluate a checkpoint
    with feature metrics (retrieval, kNN): ``predict`` stores the pooled
    feature ``(C,)`` of each image in its data sample under ``feature``.

    Subclasses override :meth:`extract_pooled_feat` to change the pooling
    (e.g. LCR's attention pooling).
    """

    def forward(self,
                inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        return super().forward(inputs, data_samples, mode)

    @staticmethod
    def _single_view(inputs: Union[torch.Tensor, List[torch.Tensor]]):
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != 1:
                raise ValueError(
                    f'predict expects one view per image, got {len(inputs)}; '
                    'use a test pipeline without MultiView.')
            inputs = inputs[0]
        return inputs

    def last_feature_map(self, inputs) -> torch.Tensor:
        """Last backbone stage of the single view: ``(N, C, H, W)``."""
        return self.backbone(self._single_view(inputs))[-1]

    def extract_pooled_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Global-average-pooled last backbone stage: ``(N, C)``."""
        return self.last_feature_map(inputs).mean(dim=(2, 3))

    @torch.no_grad()
    def predict(
            self,
            inputs: Union[torch.Tensor, List[torch.Tensor]],
            data_samples: Optional[List[DataSample]] = None
    ) -> List[DataSample]:
        """Attach ``feature`` ``(C,)`` to each data sample."""
        feats = self.extract_pooled_feat(inputs)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(feats.shape[0])]
        for sample, feat in zip(data_samples, feats):
            sample.set_field(feat, 'feature', field_type='metainfo')
        return data_samples
