"""SimSiam + the spatial cross-attention (SCA) add-on."""
from typing import Dict, List

import torch
from mmpretrain.models.selfsup import SimSiam
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .spatial_cross_attention_mixin import SpatialCrossAttentionMixin


@MODELS.register_module()
class SimSiamSCA(SpatialCrossAttentionMixin, SimSiam):
    """SimSiam with the SCA add-on.

    *Spatial Cross-Attention* add-on (SCA paper, Sec. 2, Eq. 3-7; SimSiam is
    its second core engine) on mmpretrain's :class:`SimSiam` (Chen & He,
    CVPR 2021): ``L = L_simsiam + 0.05 * L_mu + 0.1 * L_cls``.

    Inputs: the two SimSiam views followed by the ``num_positives``
    positive views; the anchor feature map is the first view's. With
    ``sca_head=None`` the step is mmpretrain's ``SimSiam.loss`` unchanged.

    Args:
        sca_head (dict, optional): :class:`SCAAttentionHead` config.
        num_positives (int): ``P`` positive views per image. Defaults to 1.
        **kwargs: :class:`mmpretrain.models.SimSiam` arguments.
    """

    def extract_embedding(self, inputs: torch.Tensor) -> torch.Tensor:
        """``z = theta(I)``: the ``(N, d)`` SimSiam projection."""
        return self.neck((self.backbone(inputs)[-1], ))[0]

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """SimSiam loss plus ``loss_sca_mu`` and ``loss_sca_cls``."""
        if not self.with_sca:
            return super().loss(inputs, data_samples, **kwargs)
        views, positives = self.split_sca_inputs(inputs)
        if len(views) != 2:
            raise ValueError(f'SimSiam needs 2 views before the positives, '
                             f'got {len(views)}.')
        outs1 = self.backbone(views[0])
        z1 = self.neck((outs1[-1], ))[0]
        z2 = self.neck((self.backbone(views[1])[-1], ))[0]
        loss = 0.5 * (self.head.loss(z1, z2) + self.head.loss(z2, z1))
        losses = dict(loss=loss)
        losses.update(self.sca_loss(outs1, positives, data_samples))
        return losses
