"""GradCAM-fitting branch (GFB) of Learning Common Rationale."""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils import normalize_attention


@MODELS.register_module()
class GradCAMFittingHead(BaseModule):
    """K 1x1 projections followed by a max-out over K.

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023), Eq. 4:
    ``A_ij = max_k w_k^T phi_ij``. The branch's limited capacity (K=32
    detectors) is what makes it keep only the *common* rationales of the
    GradCAM it is trained to fit (Eq. 5-6, :class:`LCRKLLoss`).

    Args:
        in_channels (int): channels of ``phi`` (2048 for ResNet-50 layer4).
        num_projections (int): K. Defaults to 32.
        with_bn_relu (bool): the authors' released variant, BN + ReLU on the
            K projections before the max. The paper's equation has neither;
            defaults to False (paper).
        fit_normalization (str): what the KL sees of ``A``: ``'none'`` (the
            paper, Eq. 5) or ``'minmax'`` (the released code fits the
            min-max normalised map ``A'``, computed per image here).
        projection_bias (bool): a bias on the K projections. Neither the
            paper's ``w_k^T phi`` nor the released ``conv16`` (``bias=False``
            before ``bn16``) has one: defaults to False. (Before this switch
            the BN+ReLU variant had a bias; set True to load such
            checkpoints.)
        loss (dict): the fitting loss. Defaults to ``LCRKLLoss`` with
            ``tau=0.4``, ``loss_weight=0.01`` (nu) and ``reduction='sum'``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 num_projections: int = 32,
                 with_bn_relu: bool = False,
                 fit_normalization: str = 'none',
                 loss: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 projection_bias: bool = False) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_projections < 1:
            raise ValueError('num_projections (K) must be >= 1, got '
                             f'{num_projections}.')
        if fit_normalization not in ('none', 'minmax'):
            raise ValueError("fit_normalization must be 'none' or 'minmax', "
                             f'got {fit_normalization!r}.')
        self.fit_normalization = fit_normalization
        self.num_projections = num_projections
        self.projections = nn.Conv2d(
            in_channels, num_projections, kernel_size=1, bias=projection_bias)
        self.bn_relu = nn.Sequential(
            nn.BatchNorm2d(num_projections), nn.ReLU(
                inplace=True)) if with_bn_relu else nn.Identity()
        self.loss_module = MODELS.build(
            loss or dict(type='LCRKLLoss', tau=0.4, loss_weight=0.01))

    def predict_gradcam(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Predicted GradCAM ``A``: ``(N, C, H, W)`` -> ``(N, H, W)``."""
        return self.bn_relu(self.projections(feature_map)).max(dim=1).values

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Same as :meth:`predict_gradcam` (subclasses may change it)."""
        return self.predict_gradcam(feature_map)

    def attention(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Test-time attention ``A'`` in ``[0, 1]``, ``(N, H, W)``."""
        return normalize_attention(self.predict_gradcam(feature_map))

    def loss(self, feature_map: torch.Tensor,
             gradcam: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Fit ``A`` to the (detached) GradCAM ``G``.

        Args:
            feature_map (Tensor): ``phi``, ``(N, C, H, W)``.
            gradcam (Tensor): ``G``, ``(N, H, W)``.

        Returns:
            dict: ``loss_gfb`` (already weighted by nu).
        """
        pred = self.predict_gradcam(feature_map)
        if self.fit_normalization == 'minmax':
            pred = normalize_attention(pred)
        return dict(loss_gfb=self.loss_module(pred, gradcam))
