"""SwAV + the spatial cross-attention (SCA) add-on."""
from typing import Dict, List

import torch
from mmpretrain.models.selfsup import SwAV
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import forward_by_resolution
from .spatial_cross_attention_mixin import SpatialCrossAttentionMixin


@MODELS.register_module()
class SwAVSCA(SpatialCrossAttentionMixin, SwAV):
    """SwAV with the SCA add-on.

    *Spatial Cross-Attention* add-on (SCA paper: "an add-on module to
    facilitate the injection of the knowledge accounting for spatial cross
    correlations among the samples", Sec. 2, Eq. 3-7) on mmpretrain's
    :class:`SwAV` (Caron et al., NeurIPS 2020) as core engine:
    ``L = L_swav + 0.05 * L_mu + 0.1 * L_cls``.

    Inputs: SwAV's multi-crop views (e.g. 2 x 224 + 6 x 96) followed by the
    ``num_positives`` positive views. The backbone runs on each resolution
    group as in SwAV; the anchor feature map is the first 224 view's, and
    the positives go through the backbone in one extra call. With
    ``sca_head=None`` the step is mmpretrain's ``SwAV.loss`` unchanged.

    Args:
        sca_head (dict, optional): :class:`SCAAttentionHead` config.
        num_positives (int): ``P`` positive views per image (same as the
            dataset wrapper's). Defaults to 1.
        **kwargs: :class:`mmpretrain.models.SwAV` arguments.
    """

    def extract_embedding(self, inputs: torch.Tensor) -> torch.Tensor:
        """``z = theta(I)``: the ``(N, d)`` normalised SwAV projection."""
        return self.neck([(self.backbone(inputs)[-1], )])

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """SwAV loss plus ``loss_sca_mu`` and ``loss_sca_cls``."""
        if not self.with_sca:
            return super().loss(inputs, data_samples, **kwargs)
        crops, positives = self.split_sca_inputs(inputs)
        groups = forward_by_resolution(self.backbone, crops)
        anchor_outs = [out[:crops[0].shape[0]] for out in groups[0]]
        output = [(outs[-1], ) for outs in groups]
        losses = dict(loss=self.head.loss(self.neck(output)))
        losses.update(self.sca_loss(anchor_outs, positives, data_samples))
        return losses
