"""CLoVE: contextualized local visual embeddings."""
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import all_gather
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.models.utils import CosineEMA
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import forward_per_view, match_points
from .feature_predict_mixin import FeaturePredictMixin

QUEUE_FEATURES = ('local', 'avg')


@MODELS.register_module()
class CLoVE(FeaturePredictMixin, BaseSelfSupervisor):
    """CLoVE (Silva, Pedrini, Ramírez Rivera, ICCVW 2023).

    *Self-supervised Learning of Contextualized Local Visual Embeddings*.
    Student: ``backbone`` (no pooling) -> ``neck`` (:class:`ConvMLPNeck`,
    local features ``F^s``) -> ``head`` (:class:`CLoVEHead`: the NMHSA
    predictor gives contextualized embeddings ``C^s``, then Eq. 2). Teacher:
    ``target_net = CosineEMA(nn.Sequential(backbone, neck))`` (momentum
    ``1 - base_momentum`` annealed to 1 with a cosine; no predictor), run on
    the global views only. Terms, as in the released code: for every teacher
    global view ``j``, every other global student view (global-to-global)
    and every local student view (local-to-global), matched with
    :func:`match_points`; the terms are averaged.

    Inputs: a list of views ``(N, 3, H_v, W_v)``, the first
    ``num_global_views`` global; each data sample carries ``view_boxes``
    ``(V, 4)`` and ``view_flips`` ``(V,)`` in its metainfo (made by
    :class:`MultiViewWithBoxes`, kept by ``PackInputs(meta_keys=
    VIEW_META_KEYS)``).

    Ablations: ``head.loss.loss_type='l2'`` (Table 8); ``head.predictor.
    normalized=False`` (Table 9); ``queue_len=16384`` (Table 10, "inter":
    one random teacher location per image and global view is enqueued;
    ``queue_feature='avg'``: the view's average, "inter (avg)").

    Args:
        backbone (dict): backbone config (ResNet, last stage out).
        neck (dict): projector config (:class:`ConvMLPNeck`).
        head (dict): :class:`CLoVEHead` config.
        base_momentum (float): ``1 - tau_0`` of the EMA (0.01: tau 0.99).
        t_pos (float): matching threshold (0.7).
        num_global_views (int): global views first in ``inputs`` (2).
        local_to_global (bool): add the local-to-global terms.
        queue_len (int): inter-image negatives queue (0: intra, paper
            default).
        feat_dim (int): channels of the projector output (for the queue).
        queue_feature (str): ``'local'`` or ``'avg'`` entries.
        pretrained, data_preprocessor, init_cfg: see
            :class:`BaseSelfSupervisor`.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.01,
                 t_pos: float = 0.7,
                 num_global_views: int = 2,
                 local_to_global: bool = True,
                 queue_len: int = 0,
                 feat_dim: int = 256,
                 queue_feature: str = 'local',
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if num_global_views < 1:
            raise ValueError('num_global_views must be >= 1, got '
                             f'{num_global_views}')
        if queue_feature not in QUEUE_FEATURES:
            raise ValueError(f'queue_feature must be one of {QUEUE_FEATURES},'
                             f' got {queue_feature!r}')
        self.t_pos = t_pos
        self.num_global_views = num_global_views
        self.local_to_global = local_to_global
        self.queue_len = queue_len
        self.queue_feature = queue_feature
        self.target_net = CosineEMA(
            nn.Sequential(self.backbone, self.neck), momentum=base_momentum)
        if queue_len > 0:
            self.register_buffer(
                'queue', F.normalize(torch.randn(queue_len, feat_dim), dim=1))
            self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))

    @staticmethod
    def view_geometry(data_samples: Optional[List[DataSample]],
                      num_views: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Boxes ``(V, N, 4)`` and flips ``(V, N)`` from the metainfo."""
        if not data_samples or not all('view_boxes' in s and 'view_flips' in s
                                       for s in data_samples):
            raise KeyError(
                'CLoVE needs view_boxes and view_flips in every data '
                "sample's metainfo: build the views with MultiViewWithBoxes "
                'and pack them with PackInputs(meta_keys=VIEW_META_KEYS)')
        boxes = torch.as_tensor(
            np.stack([np.asarray(s.view_boxes) for s in data_samples]),
            dtype=torch.float32)
        flips = torch.as_tensor(
            np.stack([np.asarray(s.view_flips) for s in data_samples]),
            dtype=torch.bool)
        if boxes.shape[1:] != (num_views,
                               4) or flips.shape[1:] != (num_views, ):
            raise ValueError(
                f'view_boxes must be ({num_views}, 4) and view_flips '
                f'({num_views},) for {num_views} views, got '
                f'{tuple(boxes.shape[1:])} and {tuple(flips.shape[1:])}')
        return boxes.transpose(0, 1), flips.transpose(0, 1)

    def _student(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(self.backbone(x))[0])

    @torch.no_grad()
    def _enqueue(self, targets: List[torch.Tensor]) -> None:
        keys = []
        for t in targets:
            flat = t.flatten(2)  # (N, D, L)
            if self.queue_feature == 'avg':
                keys.append(flat.mean(2))
            else:
                idx = torch.randint(
                    flat.shape[2], (flat.shape[0], ), device=flat.device)
                keys.append(flat[torch.arange(flat.shape[0]), :, idx])
        keys = torch.cat(all_gather(F.normalize(torch.cat(keys), dim=1)))
        keys = keys[-self.queue_len:].to(self.queue.dtype)
        ptr = int(self.queue_ptr)
        idx = (ptr + torch.arange(keys.shape[0], device=keys.device)) % (
            self.queue_len)
        self.queue[idx] = keys
        self.queue_ptr[0] = (ptr + keys.shape[0]) % self.queue_len

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Views ``[(N, 3, H_v, W_v)] * V`` -> ``loss`` (plus logged
        ``g2g``/``l2g`` parts)."""
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('CLoVE expects a list of views; use '
                            'MultiViewWithBoxes in the train pipeline')
        num_views, num_global = len(inputs), self.num_global_views
        if num_views < 2 or num_views < num_global:
            raise ValueError(f'CLoVE needs >= 2 views with '
                             f'{num_global} global, got {num_views}')
        boxes, flips = self.view_geometry(data_samples, num_views)
        boxes, flips = boxes.to(inputs[0].device), flips.to(inputs[0].device)
        students = list(
            range(num_views if self.local_to_global else num_global))
        context = forward_per_view(self._student,
                                   [inputs[i] for i in students])
        with torch.no_grad():
            self.target_net.update_parameters(
                nn.Sequential(self.backbone, self.neck))
            targets = forward_per_view(lambda x: self.target_net(x)[0],
                                       list(inputs[:num_global]))
        queue = self.queue.clone().detach() if self.queue_len > 0 else None
        parts: Dict[str, List[torch.Tensor]] = dict(g2g=[], l2g=[])
        for j in range(num_global):
            for i in students:
                if i == j:
                    continue
                match = match_points(boxes[i], flips[i], boxes[j], flips[j],
                                     context[i].shape[2:],
                                     targets[j].shape[2:], self.t_pos)
                term = self.head.loss(context[i], targets[j], match, queue)
                parts['g2g' if i < num_global else 'l2g'].append(term)
        terms = parts['g2g'] + parts['l2g']
        losses = dict(loss=torch.stack(terms).mean())
        for name, values in parts.items():
            if values:
                losses[name] = torch.stack(values).mean().detach()
        if self.queue_len > 0:
            self._enqueue(targets)
        return losses
