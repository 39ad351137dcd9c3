"""BYOL + Learning Common Rationale (LCR paper, Table 3)."""
from typing import Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.selfsup import BYOL
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .common_rationale_mixin import CommonRationaleMixin


@MODELS.register_module()
class BYOLLCR(CommonRationaleMixin, BYOL):
    """BYOL with the GradCAM-fitting branch of LCR.

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023) on mmpretrain's
    :class:`BYOL`. Both views pass the online encoder, so the branch fits
    the GradCAM of the BYOL loss on both feature maps (the two KL terms are
    averaged). ``gfb_head=None`` gives plain BYOL.

    Args:
        gfb_head (dict, optional): :class:`GradCAMFittingHead` config.
        **kwargs: :class:`mmpretrain.models.BYOL` arguments.
    """

    @torch.no_grad()
    def _target(self, img: torch.Tensor) -> torch.Tensor:
        backbone_t, neck_t = self.target_net.module
        return neck_t(self.neck_input(backbone_t(img)[-1]))[0]

    def _byol_loss(self, projections: List[torch.Tensor],
                   targets: List[torch.Tensor]) -> tuple:
        """BYOL loss of each online projection against its paired target,
        and the positive logits (prediction-target cosines) ``(V * N,)``."""
        loss, logits = 0., []
        for proj, target in zip(projections, targets):
            pred = self.head.predictor([proj])[0]
            target = target.to(pred.dtype)
            loss = loss + self.head.loss_module(pred, target)
            logits.append(F.cosine_similarity(pred, target, dim=1))
        return 2. * loss, torch.cat(logits)

    def view_loss(self, inputs: torch.Tensor):
        """BYOL loss of the image against its own target projection."""
        phi = self.backbone(inputs)[-1]
        proj = self.neck(self.neck_input(phi))[0]
        return ([phi], ) + self._byol_loss([proj], [self._target(inputs)])

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Two views ``(N, 3, H, W)`` -> ``loss`` (BYOL), ``loss_gfb``."""
        if not self.with_gfb:
            return super().loss(inputs, data_samples, **kwargs)
        maps = [self.backbone(view)[-1] for view in inputs[:2]]
        projections = [self.neck(self.neck_input(phi))[0] for phi in maps]
        with torch.no_grad():
            self.target_net.update_parameters(
                nn.Sequential(self.backbone, self.neck))
            targets = [self._target(view) for view in inputs[:2]]
        loss, positive_logits = self._byol_loss(projections, targets[::-1])
        losses = dict(loss=loss)
        losses.update(self.gfb_head.loss(maps, loss, positive_logits))
        return losses
