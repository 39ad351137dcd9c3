"""LCR's test-time attention pooling as a neck for downstream classifiers."""
from typing import Tuple

import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from ..heads import GradCAMFittingHead
from ..utils import attention_pool


@MODELS.register_module()
class GFBAttentionPoolNeck(GradCAMFittingHead):
    """Pool ``phi`` with a frozen, pretrained GradCAM-fitting branch.

    *Learning Common Rationale* (Shu et al., CVPR 2023), Eq. 8: the feature
    used downstream is ``phi`` weighted by the normalised attention ``A'``.
    As the authors' released linear probe, the weighted map is *averaged*
    over the ``H * W`` positions and L2-normalised, so a linear classifier
    at a fixed learning rate sees unit-norm features, as it does from
    :class:`NormalizedGlobalAveragePooling` for the base method.
    Its parameters have the GFB's names, so a self-supervised checkpoint
    loads with ``init_cfg=dict(type='Pretrained', checkpoint=CKPT,
    prefix='gfb_head.')``. The branch stays frozen (eval mode, no grad).

    Args:
        in_channels (int): channels of ``phi``.
        num_projections (int): K of the pretrained branch.
        with_bn_relu (bool): the branch variant used in pretraining.
        normalize (bool): L2-normalise the pooled feature (released probe).
            False gives the plain average of ``A' * phi``.
        projection_bias (bool): whether its projections had a bias.
        init_cfg (dict): usually the ``Pretrained`` init above.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 num_projections: int = 32,
                 with_bn_relu: bool = False,
                 normalize: bool = True,
                 init_cfg=None,
                 projection_bias: bool = False) -> None:
        super().__init__(
            in_channels,
            num_projections,
            with_bn_relu,
            init_cfg=init_cfg,
            projection_bias=projection_bias)
        self.normalize = normalize
        for param in self.parameters():
            param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(False)
        return self

    def forward(self, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
        """``((N, C, H, W), ...)`` -> ``((N, C), )`` from the last map."""
        phi = inputs[-1]
        with torch.no_grad():
            attention = self.attention(phi)
        pooled = attention_pool(phi, attention) / (phi.shape[2] * phi.shape[3])
        return (F.normalize(pooled, dim=1) if self.normalize else pooled, )
