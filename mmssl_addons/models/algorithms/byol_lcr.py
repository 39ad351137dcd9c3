"""BYOL + Learning Common Rationale (LCR paper, Table 3)."""
from typing import Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.selfsup import BYOL
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .common_rationale_mixin import CommonRationaleMixin
from .feature_predict_mixin import FeaturePredictMixin


@MODELS.register_module()
class BYOLLCR(CommonRationaleMixin, FeaturePredictMixin, BYOL):
    """BYOL with the GradCAM-fitting branch of LCR.

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023) on mmpretrain's
    :class:`BYOL`. Both views pass the online encoder, so the GradCAM of the
    BYOL objective is fitted on both feature maps and the
    two KL terms are averaged. ``gfb_head=None`` gives plain BYOL.

    Args:
        gfb_head (dict, optional): :class:`GradCAMFittingHead` config.
        test_pooling (str): ``'attention'`` or ``'avg'``.
        train_pooling (str): ``'avg'`` or ``'attention'``.
        detach_gfb_input (bool): stop the KL gradient at ``phi``.
        gradcam_objective (str): ``'loss'`` (released code) or
            ``'log_likelihood'`` (positive logits, Alg. A1).
        gradcam_scale (str): ``'max'`` (per-image, scale-free) or
            ``'none'``.
        **kwargs: :class:`mmpretrain.models.BYOL` arguments.
    """

    @torch.no_grad()
    def _encode_target(self, img: torch.Tensor) -> torch.Tensor:
        backbone_t, neck_t = self.target_net.module
        return neck_t(self.pool_for_training(backbone_t(img)[-1]))[0]

    def _objective(self, targets: List[torch.Tensor]):
        """``objective_fn``: BYOL loss and the positive logits.

        The positive logit of view ``v`` is the cosine between its
        prediction and the target projection of the other view.
        """

        def objective(maps):
            loss, logits = 0., []
            for phi, target in zip(maps, targets):
                proj = self.neck(self.pool_for_training(phi))[0]
                pred = self.head.predictor([proj])[0]
                target = target.to(pred.dtype)
                loss = loss + self.head.loss_module(pred, target)
                logits.append(F.cosine_similarity(pred, target, dim=1))
            return 2. * loss, torch.cat(logits)

        return objective

    def view_objective(self, inputs: torch.Tensor):
        """BYOL loss of the image against its own target projection."""
        return self._objective([self._encode_target(inputs)])

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Two views ``(N, 3, H, W)`` -> ``loss`` (BYOL), ``loss_gfb``."""
        if not self.with_gfb:
            return super().loss(inputs, data_samples, **kwargs)
        img_v1, img_v2 = inputs[0], inputs[1]
        phi_1 = self.backbone(img_v1)[-1]
        phi_2 = self.backbone(img_v2)[-1]
        proj_1 = self.neck(self.pool_for_training(phi_1))[0]
        proj_2 = self.neck(self.pool_for_training(phi_2))[0]
        with torch.no_grad():
            self.target_net.update_parameters(
                nn.Sequential(self.backbone, self.neck))
            target_1 = self._encode_target(img_v1)
            target_2 = self._encode_target(img_v2)

        loss = 2. * (
            self.head.loss(proj_1, target_2) +
            self.head.loss(proj_2, target_1))
        losses = dict(loss=loss)
        losses.update(
            self.common_rationale_loss([phi_1, phi_2],
                                       self._objective([target_2, target_1])))
        return losses
