"""GradCAM-fitting branch (GFB) of Learning Common Rationale."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils import attention_pool, normalize_attention, objective_gradcam

_OBJECTIVES = ('loss', 'log_likelihood')
_TEST_POOLING = ('attention', 'avg')
_TRAIN_POOLING = ('avg', 'attention')

Maps = Union[torch.Tensor, Sequence[torch.Tensor]]


@MODELS.register_module()
class GradCAMFittingHead(BaseModule):
    """The LCR add-on: a GradCAM-fitting branch on the last feature map.

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023). The branch is K 1x1
    projections followed by a max-out over K (Eq. 4:
    ``A_ij = max_k w_k^T phi_ij``); its limited capacity (K=32) is what makes
    it keep only the *common* rationales of the GradCAM it fits (Eq. 5-6,
    :class:`LCRKLLoss`). The algorithm calls :meth:`loss` with what its base
    already has, the feature maps ``phi`` and the SSL loss; the head takes
    the GradCAM ``G = ReLU(<dO/dphi, phi>)`` (Eq. 3, detached:
    :func:`objective_gradcam`) and fits ``A`` to it. At test time it pools
    ``phi`` with its attention (Eq. 8).

    Args:
        in_channels (int): channels of ``phi`` (2048 for ResNet-50 layer4).
        num_projections (int): K. Defaults to 32.
        with_bn_relu (bool): the authors' released variant, BN + ReLU on the
            K projections before the max (the paper's equation has neither).
        fit_normalization (str): what the KL sees of ``A``: ``'none'`` (the
            paper, Eq. 5) or ``'minmax'`` (the released code fits the
            min-max normalised map ``A'``, per image).
        loss (dict): the fitting loss. Defaults to ``LCRKLLoss`` with
            ``tau=0.4``, ``loss_weight=0.01`` (nu).
        init_cfg (dict, optional): initialisation config.
        projection_bias (bool): a bias on the K projections (neither the
            paper nor the released ``conv16`` has one; True loads older
            checkpoints of the BN+ReLU variant).
        gradcam_objective (str): ``O`` of the GradCAM: ``'loss'`` (the SSL
            loss, as the released code) or ``'log_likelihood'`` (the
            positive-pair logits of Alg. A1, summed over the batch).
        gradcam_scale (str): ``'max'`` divides each image's ``G`` by its
            maximum, so ``softmax(G / tau)`` does not depend on the loss's
            scale; ``'none'`` keeps the raw scale (the released code).
        detach_input (bool): the KL trains the branch only, not ``phi``.
        train_pooling (str): what the base's neck receives while training:
            ``'avg'`` (``phi``, LCR) or ``'attention'`` (the *DualPooling*
            ablation: the attention-weighted average of ``phi``).
        test_pooling (str): ``'attention'`` (Eq. 8) or ``'avg'`` (the
            *MultiTask* ablation).
    """

    def __init__(self,
                 in_channels: int = 2048,
                 num_projections: int = 32,
                 with_bn_relu: bool = False,
                 fit_normalization: str = 'none',
                 loss: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 projection_bias: bool = False,
                 gradcam_objective: str = 'loss',
                 gradcam_scale: str = 'max',
                 detach_input: bool = False,
                 train_pooling: str = 'avg',
                 test_pooling: str = 'attention') -> None:
        super().__init__(init_cfg=init_cfg)
        if num_projections < 1:
            raise ValueError('num_projections (K) must be >= 1, got '
                             f'{num_projections}.')
        for name, value, allowed in (
            ('fit_normalization', fit_normalization, ('none', 'minmax')),
            ('gradcam_objective', gradcam_objective, _OBJECTIVES),
            ('gradcam_scale', gradcam_scale, ('none', 'max')),
            ('train_pooling', train_pooling, _TRAIN_POOLING),
            ('test_pooling', test_pooling, _TEST_POOLING),
        ):
            if value not in allowed:
                raise ValueError(
                    f'{name} must be one of {allowed}, got {value!r}.')
        self.fit_normalization = fit_normalization
        self.gradcam_objective = gradcam_objective
        self.gradcam_scale = gradcam_scale
        self.detach_input = detach_input
        self.train_pooling = train_pooling
        self.test_pooling = test_pooling
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
        """Same as :meth:`predict_gradcam`."""
        return self.predict_gradcam(feature_map)

    def attention(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Test-time attention ``A'`` in ``[0, 1]``, ``(N, H, W)``."""
        return normalize_attention(self.predict_gradcam(feature_map))

    def neck_input(self, feature_map: torch.Tensor) -> Tuple[torch.Tensor]:
        """The base's neck input from ``phi`` ``(N, C, H, W)``: a 1-tuple.

        ``train_pooling='attention'`` (DualPooling) gives the attention-
        weighted average ``(N, C, 1, 1)`` instead of the map.
        """
        if self.train_pooling == 'avg':
            return (feature_map, )
        attention = self.attention(feature_map)
        pooled = attention_pool(feature_map, attention, normalize=False)
        pooled = pooled / attention.flatten(1).sum(
            1, keepdim=True).clamp(min=1e-7)
        return (pooled[:, :, None, None], )

    def pool(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Test-time feature ``(N, C)``: Eq. 8 attention pooling or GAP."""
        if self.test_pooling == 'attention':
            return attention_pool(feature_map, self.attention(feature_map))
        return feature_map.mean(dim=(2, 3))

    def gradcam(
            self,
            feature_maps: Maps,
            ssl_loss: torch.Tensor,
            positive_logits: Optional[torch.Tensor] = None
    ) -> List[torch.Tensor]:
        """Detached float32 GradCAM targets ``(N, H, W)``, one per map.

        Args:
            feature_maps (Tensor | list[Tensor]): ``phi`` ``(N, C, H, W)``
                of each view the SSL loss was computed from.
            ssl_loss (Tensor): the base's scalar loss, in the maps' graph.
            positive_logits (Tensor, optional): the positive-pair logits
                ``(M,)`` (needed by ``gradcam_objective='log_likelihood'``).
        """
        maps = _as_list(feature_maps)
        if self.gradcam_objective == 'loss':
            objective = ssl_loss
        elif positive_logits is None:
            raise ValueError(
                "gradcam_objective='log_likelihood' needs the base's "
                'positive-pair logits; this algorithm passes none (use '
                "gradcam_objective='loss').")
        else:
            objective = positive_logits.sum()
        return objective_gradcam(maps, objective, self.gradcam_scale)

    def fit_loss(self, feature_map: torch.Tensor,
                 gradcam: torch.Tensor) -> torch.Tensor:
        """Weighted KL between ``A`` of ``phi`` and the target ``G``.

        Args:
            feature_map (Tensor): ``phi``, ``(N, C, H, W)``.
            gradcam (Tensor): ``G``, ``(N, H, W)``.
        """
        if self.detach_input:
            feature_map = feature_map.detach()
        pred = self.predict_gradcam(feature_map)
        if self.fit_normalization == 'minmax':
            pred = normalize_attention(pred)
        return self.loss_module(pred, gradcam)

    def loss(
        self,
        feature_maps: Maps,
        ssl_loss: torch.Tensor,
        positive_logits: Optional[torch.Tensor] = None
    ) -> Dict[str, torch.Tensor]:
        """``loss_gfb``: the KL of every view, averaged over the views.

        Args: see :meth:`gradcam`.
        """
        maps = _as_list(feature_maps)
        targets = self.gradcam(maps, ssl_loss, positive_logits)
        total = 0.
        for phi, target in zip(maps, targets):
            total = total + self.fit_loss(phi, target)
        return dict(loss_gfb=total / len(maps))


def _as_list(feature_maps: Maps) -> List[torch.Tensor]:
    if isinstance(feature_maps, torch.Tensor):
        return [feature_maps]
    return list(feature_maps)
