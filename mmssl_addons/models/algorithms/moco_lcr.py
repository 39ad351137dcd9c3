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


@MODELS.register_module()
class MoCoLCR(CommonRationaleMixin, MoCo):
    """MoCo v2 with a GradCAM-fitting branch (LCR).

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023), on mmpretrain's
    :class:`MoCo`: ``L = L_CL + nu * KL(softmax(G/tau) || softmax(A/tau))``,
    attention pooling (Eq. 8) at test time. ``gfb_head=None`` is
    mmpretrain's ``MoCo.loss`` unchanged (the MoCo v2 baseline).

    Args:
        gfb_head (dict, optional): :class:`GradCAMFittingHead` config.
        **kwargs: :class:`mmpretrain.models.MoCo` arguments (``backbone``,
            ``neck``, ``head``, ``queue_len``, ``feat_dim``, ``momentum``...).
    """

    @torch.no_grad()
    def _keys(self, im_k: torch.Tensor, shuffle: bool = True) -> torch.Tensor:
        """Momentum-encoder keys ``(N, D)``, L2-normalised."""
        if shuffle:
            im_k, idx_unshuffle = batch_shuffle_ddp(im_k)
        backbone_k, neck_k = self.encoder_k.module
        k = F.normalize(
            neck_k(self.neck_input(backbone_k(im_k)[-1]))[0], dim=1)
        return batch_unshuffle_ddp(k, idx_unshuffle) if shuffle else k

    def _info_nce(self, phi: torch.Tensor, k: torch.Tensor) -> tuple:
        """InfoNCE of ``phi`` ``(N, C, H, W)`` against ``k`` and the queue,
        and the positive logits ``(N,)``."""
        q = F.normalize(self.neck(self.neck_input(phi))[0], dim=1)
        queue = self.queue.clone().detach()
        l_pos = torch.einsum('nc,nc->n', q, k.to(q.dtype)).unsqueeze(-1)
        l_neg = torch.einsum('nc,ck->nk', q, queue.to(q.dtype))
        return self.head.loss(l_pos, l_neg), l_pos.squeeze(-1)

    def view_loss(self, inputs: torch.Tensor):
        """The image against itself (momentum encoder) and the queue."""
        phi = self.backbone(inputs)[-1]
        return ([phi], ) + self._info_nce(phi, self._keys(inputs, False))

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Two views ``(N, 3, H, W)`` -> ``loss`` (InfoNCE), ``loss_gfb``."""
        if not self.with_gfb:
            return super().loss(inputs, data_samples, **kwargs)
        phi = self.backbone(inputs[0])[-1]
        self.encoder_k.update_parameters(
            nn.Sequential(self.backbone, self.neck))
        k = self._keys(inputs[1])
        loss, positive_logits = self._info_nce(phi, k)
        losses = dict(loss=loss)
        losses.update(self.gfb_head.loss([phi], loss, positive_logits))
        self._dequeue_and_enqueue(k)
        return losses
