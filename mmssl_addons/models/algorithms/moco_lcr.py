"""MoCo v2 + Learning Common Rationale."""
from typing import Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.selfsup import MoCo
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .common_rationale_mixin import CommonRationaleMixin
from .feature_predict_mixin import FeaturePredictMixin


@MODELS.register_module()
class MoCoLCR(CommonRationaleMixin, FeaturePredictMixin, MoCo):
    """MoCo v2 with a GradCAM-fitting branch (LCR).

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023), built on mmpretrain's
    :class:`MoCo`: ``L = L_CL + nu * KL(softmax(G/tau) || softmax(A/tau))``
    with no interaction between the branches while training and attention
    pooling (Eq. 8) at test time. See :class:`CommonRationaleMixin` for the
    GradCAM convention.

    With ``gfb_head=None`` the training step is mmpretrain's ``MoCo.loss``
    unchanged (the MoCo v2 baseline) and only ``predict`` is added.

    Args:
        gfb_head (dict, optional): :class:`GradCAMFittingHead` config.
        test_pooling (str): ``'attention'`` or ``'avg'`` (MultiTask).
        train_pooling (str): ``'avg'`` or ``'attention'`` (DualPooling).
        detach_gfb_input (bool): stop the KL gradient at ``phi``.
        gradcam_objective (str): ``'loss'`` (released code) or
            ``'log_likelihood'`` (the positive logit of Alg. A1).
        gradcam_scale (str): ``'max'`` (per-image, scale-free) or
            ``'none'``.
        **kwargs: :class:`mmpretrain.models.MoCo` arguments (``backbone``,
            ``neck``, ``head``, ``queue_len``, ``feat_dim``, ``momentum``...).
    """

    @torch.no_grad()
    def _encode_keys(self, im_k: torch.Tensor) -> torch.Tensor:
        """Momentum-encoder keys ``(N, D)`` (normalised, unshuffled)."""
        im_k, idx_unshuffle = batch_shuffle_ddp(im_k)
        backbone_k, neck_k = self.encoder_k.module
        k = neck_k(self.pool_for_training(backbone_k(im_k)[-1]))[0]
        return batch_unshuffle_ddp(F.normalize(k, dim=1), idx_unshuffle)

    def _logits(self, phi: torch.Tensor, k: torch.Tensor,
                queue: torch.Tensor) -> tuple:
        """Positive ``(N, 1)`` and queue ``(N, K)`` logits of ``phi``."""
        q = F.normalize(self.neck(self.pool_for_training(phi))[0], dim=1)
        l_pos = torch.einsum('nc,nc->n', q, k.to(q.dtype)).unsqueeze(-1)
        l_neg = torch.einsum('nc,ck->nk', q, queue.to(q.dtype))
        return l_pos, l_neg

    def _objective(self, k: torch.Tensor, queue: torch.Tensor):
        """``objective_fn``: InfoNCE and positive logits (Alg. A1)."""

        def objective(maps):
            l_pos, l_neg = self._logits(maps[0], k, queue)
            return self.head.loss(l_pos, l_neg), l_pos.squeeze(-1)

        return objective

    def view_objective(self, inputs: torch.Tensor):
        """The image against itself (momentum encoder) and the queue."""
        with torch.no_grad():
            backbone_k, neck_k = self.encoder_k.module
            k = F.normalize(
                neck_k(self.pool_for_training(backbone_k(inputs)[-1]))[0],
                dim=1)
        return self._objective(k, self.queue.clone().detach())

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Two views ``(N, 3, H, W)`` -> ``loss`` (InfoNCE), ``loss_gfb``."""
        if not self.with_gfb:
            return super().loss(inputs, data_samples, **kwargs)
        im_q, im_k = inputs[0], inputs[1]
        phi = self.backbone(im_q)[-1]

        self.encoder_k.update_parameters(
            nn.Sequential(self.backbone, self.neck))
        k = self._encode_keys(im_k)
        queue = self.queue.clone().detach()
        loss_cl = self.head.loss(*self._logits(phi, k, queue))

        losses = dict(loss=loss_cl)
        losses.update(
            self.common_rationale_loss([phi], self._objective(k, queue)))
        self._dequeue_and_enqueue(k)
        return losses
