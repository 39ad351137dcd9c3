"""BAM: Balanced self-Attention Matching (multi-crop, EMA teacher)."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.models.utils import CosineEMA
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import forward_by_resolution


def embed_views(encoder, views: List[torch.Tensor]) -> torch.Tensor:
    """``(V * N, D)`` view-major embeddings, one forward per resolution.

    ``encoder`` maps ``(B, 3, H, W)`` to a tuple whose first item is
    ``(B, D)`` (backbone + projector).
    """
    return torch.cat([out[0] for out in forward_by_resolution(encoder, views)])


@MODELS.register_module()
class BAM(BaseSelfSupervisor):
    """BAM: *Unsupervised Representation Learning by Balanced Self Attention
    Matching* (Daniel Shalam, Simon Korman, ECCV 2024).

    Every view of every image (multi-crop: ``num_global`` global crops first,
    then the local crops, as mmpretrain's ``MultiView`` gives them) goes
    through the backbone and :class:`BAMProjector`; the embeddings
    ``(V * N, D)``, view-major, enter :func:`bam_loss`. With
    ``use_teacher=True`` (the paper's full model, Table 1 "stud-teacher") an
    EMA teacher ``momentum_encoder = CosineEMA(nn.Sequential(backbone,
    neck))`` embeds the same views without gradient; the target comes from
    the teacher's self-similarities and the source from student x teacher
    (:func:`bam_distill_loss`, Appendix C). The teacher momentum follows
    mmpretrain's cosine schedule, 0.995 -> 1 (``base_momentum=0.005``,
    ``end_momentum=0``; the authors' ``--teacher_m``, the paper gives
    none), updated every step as mmpretrain's MoCo v3/BYOL do.
    The target temperature ``tau_t`` of ``self.bam_loss`` is scheduled by
    :class:`BAMTargetTemperatureHook`.

    The teacher embeds all views (local crops too): the target is the
    paper's ``(M, M)`` matrix over all augmented samples (the authors' code
    restricts its columns to the global crops; see ``docs/fidelity.md``).

    Args:
        backbone (dict): backbone config.
        neck (dict): projector config (:class:`BAMProjector`).
        loss (dict): :class:`BAMLoss` config (``num_views``, ``num_global``,
            ``tau``, ``tau_t``, ``n_iters``).
        use_teacher (bool): EMA teacher on. Defaults to True.
        base_momentum (float): ``1 - m`` at the start (0.005 -> m = 0.995).
        end_momentum (float): ``1 - m`` at the end (0 -> m = 1).
        pretrained, data_preprocessor, init_cfg: see
            :class:`mmpretrain.models.BaseSelfSupervisor`.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 loss: dict = dict(type='BAMLoss'),
                 use_teacher: bool = True,
                 base_momentum: float = 0.005,
                 end_momentum: float = 0.,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.bam_loss = MODELS.build(loss)
        self.use_teacher = use_teacher
        if use_teacher:
            self.momentum_encoder = CosineEMA(
                nn.Sequential(self.backbone, self.neck),
                momentum=base_momentum,
                end_momentum=end_momentum)

    def init_weights(self) -> None:
        super().init_weights()
        if self.use_teacher:  # start the teacher equal to the student
            self.momentum_encoder.module.load_state_dict(
                nn.Sequential(self.backbone, self.neck).state_dict())

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """``V`` views ``(N, 3, H_v, W_v)`` -> ``dict(loss=...)``."""
        num_views = self.bam_loss.num_views
        if not isinstance(inputs, (list, tuple)) or len(inputs) != num_views:
            got = len(inputs) if isinstance(inputs, (list, tuple)) else 1
            raise ValueError(
                f'BAM expects {num_views} views (loss.num_views) from the '
                f'pipeline\'s MultiView, got {got}; make MultiView\'s '
                'num_views sum to loss.num_views, global crops first.')
        student = embed_views(lambda x: self.neck(self.backbone(x)), inputs)
        teacher = None
        if self.use_teacher:
            with torch.no_grad():
                self.momentum_encoder.update_parameters(
                    nn.Sequential(self.backbone, self.neck))
                teacher = embed_views(self.momentum_encoder, inputs)
        return dict(loss=self.bam_loss(student, teacher))
