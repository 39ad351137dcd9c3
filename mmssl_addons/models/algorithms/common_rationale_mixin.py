"""Shared machinery of Learning Common Rationale (LCR) add-ons."""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from mmpretrain.registry import MODELS

from ..utils import attention_pool, gradcam_map, preserved_norm_stats

_TEST_POOLING = ('attention', 'avg')
_TRAIN_POOLING = ('avg', 'attention')
_OBJECTIVES = ('loss', 'log_likelihood')
_SCALES = ('none', 'max')

#: ``objective_fn(maps) -> (ssl_loss, positive_logits)``: the SSL loss
#: (scalar) and the positive-pair logits ``(M,)`` recomputed from the
#: feature maps ``phi`` alone (everything else held fixed).
ObjectiveFn = Callable[[List[torch.Tensor]], Tuple[torch.Tensor, torch.Tensor]]


class CommonRationaleMixin:
    """GradCAM of the SSL objective, fitted by a GradCAM-fitting branch.

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023).

    The target (Eq. 3) is ``G_ij = ReLU(<dO/dphi_ij, phi_ij>)`` on the last
    convolutional feature map ``phi``, detached (the paper's reading: the
    fitted branch never moves its own target). ``O`` is chosen by
    ``gradcam_objective``:

    - ``'loss'``: the minimised SSL loss, as the authors' released MoCo
      code (cross-entropy of the contrastive logits);
    - ``'log_likelihood'``: the positive-pair logit of Alg. A1
      (``autograd.grad(logits_pos, feat_map)``, footnote 2), summed over
      the batch so each image gets the gradient of its own logit.

    The two select complementary regions (opposite signs before the ReLU).

    ``gradcam_scale='max'`` divides each image's ``G`` by its maximum, so
    ``softmax(G / tau)`` does not depend on the loss's scale (a batch-mean
    loss shrinks ``G`` with the batch; at paper scale the raw target is
    uniform to 0.1 %). ``'none'`` keeps the raw scale (the released code,
    which instead min-max normalises the fitted map: see
    :class:`GradCAMFittingHead` ``fit_normalization``).

    ``G`` is always computed in float32 with autocast off, from the maps and
    the algorithm's ``objective_fn`` (``torch.autograd.grad`` is not
    loss-scaled, and fp16 gradients of a batch-mean loss underflow).

    The KL term reaches the backbone through the branch's input ``phi``;
    ``detach_gfb_input=True`` stops that path too.

    Args (consumed by :meth:`init_common_rationale`):
        gfb_head (dict, optional): :class:`GradCAMFittingHead` config; None
            disables LCR (plain base method).
        test_pooling (str): ``'attention'`` (LCR, Eq. 8) or ``'avg'`` (the
            paper's *MultiTask* ablation).
        train_pooling (str): ``'avg'`` (LCR) or ``'attention'`` (the
            *DualPooling* ablation: weighted average pooling while training).
        detach_gfb_input (bool): stop the KL gradient at ``phi``.
        gradcam_objective (str): ``'loss'`` or ``'log_likelihood'``.
        gradcam_scale (str): ``'max'`` (default) or ``'none'``.
    """

    def __init__(self,
                 gfb_head: Optional[dict] = None,
                 test_pooling: str = 'attention',
                 train_pooling: str = 'avg',
                 detach_gfb_input: bool = False,
                 gradcam_objective: str = 'loss',
                 gradcam_scale: str = 'max',
                 **kwargs) -> None:
        """Build the base algorithm from ``kwargs``, then the LCR parts."""
        super().__init__(**kwargs)
        self.init_common_rationale(gfb_head, test_pooling, train_pooling,
                                   detach_gfb_input, gradcam_objective,
                                   gradcam_scale)

    def init_common_rationale(self,
                              gfb_head: Optional[dict],
                              test_pooling: str = 'attention',
                              train_pooling: str = 'avg',
                              detach_gfb_input: bool = False,
                              gradcam_objective: str = 'loss',
                              gradcam_scale: str = 'max') -> None:
        if gradcam_objective not in _OBJECTIVES:
            raise ValueError(f'gradcam_objective must be one of '
                             f'{_OBJECTIVES}, got {gradcam_objective!r}.')
        if gradcam_scale not in _SCALES:
            raise ValueError(f'gradcam_scale must be one of {_SCALES}, got '
                             f'{gradcam_scale!r}.')
        if test_pooling not in _TEST_POOLING:
            raise ValueError(f'test_pooling must be one of {_TEST_POOLING}, '
                             f'got {test_pooling!r}.')
        if train_pooling not in _TRAIN_POOLING:
            raise ValueError(f'train_pooling must be one of '
                             f'{_TRAIN_POOLING}, got {train_pooling!r}.')
        if gfb_head is None and 'attention' in (test_pooling, train_pooling):
            if test_pooling == 'attention' and train_pooling == 'avg':
                test_pooling = 'avg'  # plain base method
            else:
                raise ValueError('attention pooling needs a gfb_head.')
        self.gfb_head = None if gfb_head is None else (gfb_head if isinstance(
            gfb_head, torch.nn.Module) else MODELS.build(gfb_head))
        self.test_pooling = test_pooling
        self.train_pooling = train_pooling
        self.detach_gfb_input = detach_gfb_input
        self.gradcam_objective = gradcam_objective
        self.gradcam_scale = gradcam_scale

    @property
    def with_gfb(self) -> bool:
        return getattr(self, 'gfb_head', None) is not None

    def pool_for_training(self, feature_map: torch.Tensor) -> tuple:
        """Neck input from ``phi`` ``(N, C, H, W)``: a 1-tuple for necks.

        With ``train_pooling='attention'`` (DualPooling) the map is replaced
        by its attention-weighted *average* ``(N, C, 1, 1)``.
        """
        if self.train_pooling == 'avg':
            return (feature_map, )
        attention = self.gfb_head.attention(feature_map)
        pooled = attention_pool(feature_map, attention, normalize=False)
        pooled = pooled / attention.flatten(1).sum(
            1, keepdim=True).clamp(min=1e-7)
        return (pooled[:, :, None, None], )

    def gradcam_target(self, feature_maps: Sequence[torch.Tensor],
                       objective_fn: ObjectiveFn) -> List[torch.Tensor]:
        """Detached float32 GradCAM targets ``(N, H, W)``, one per map.

        Args:
            feature_maps (list[Tensor]): ``phi`` of each view that went
                through the online encoder, each ``(N, C, H, W)``.
            objective_fn (callable): recomputes ``(ssl_loss,
                positive_logits)`` from float32 copies of the maps.
        """
        device_type = feature_maps[0].device.type
        maps = [
            phi.detach().float().requires_grad_(True) for phi in feature_maps
        ]
        with torch.enable_grad(), torch.autocast(
                device_type, enabled=False), preserved_norm_stats(self):
            loss, positive_logits = objective_fn(maps)
            objective = (
                loss
                if self.gradcam_objective == 'loss' else positive_logits.sum())
            grads = torch.autograd.grad(objective.float(), maps)
        targets = []
        for phi, grad in zip(maps, grads):
            target = gradcam_map(phi.detach(), grad)
            if self.gradcam_scale == 'max':
                peak = target.flatten(1).max(dim=1).values
                target = target / peak.clamp(min=1e-30)[:, None, None]
            targets.append(target)
        return targets

    def common_rationale_loss(
            self, feature_maps: Sequence[torch.Tensor],
            objective_fn: ObjectiveFn) -> Dict[str, torch.Tensor]:
        """KL between the GFB and the GradCAM of the SSL objective.

        Args:
            feature_maps (list[Tensor]): ``phi`` of each online view,
                ``(N, C, H, W)``.
            objective_fn (callable): see :meth:`gradcam_target`.

        Returns:
            dict: ``loss_gfb`` averaged over the views.
        """
        total = 0.
        targets = self.gradcam_target(feature_maps, objective_fn)
        for phi, target in zip(feature_maps, targets):
            branch_input = phi.detach() if self.detach_gfb_input else phi
            total = total + self.gfb_head.loss(branch_input,
                                               target)['loss_gfb']
        return dict(loss_gfb=total / len(feature_maps))

    def extract_pooled_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Test-time feature ``(N, C)``: Eq. 8 attention pooling or GAP."""
        feature_map = self.last_feature_map(inputs)
        if self.test_pooling == 'attention':
            return attention_pool(feature_map,
                                  self.gfb_head.attention(feature_map))
        return feature_map.mean(dim=(2, 3))

    def view_objective(self, inputs: torch.Tensor) -> ObjectiveFn:
        """``objective_fn`` of one view paired with itself.

        Used by :meth:`view_gradcam` for visualisation; implemented by each
        algorithm.
        """
        raise NotImplementedError

    def view_gradcam(self, inputs: torch.Tensor) -> torch.Tensor:
        """GradCAM ``G`` ``(N, H, W)`` of the SSL objective for one view.

        At test time there is no second augmented view, so the image is
        paired with itself (target/momentum branch on the same input).
        """
        x = self._single_view(inputs)
        with torch.no_grad():
            phi = self.backbone(x)[-1]
        (target, ) = self.gradcam_target([phi], self.view_objective(x))
        return target

    def extract_attention(self, inputs: torch.Tensor) -> torch.Tensor:
        """GFB attention ``A'`` ``(N, H, W)`` for visualisation."""
        if not self.with_gfb:
            raise RuntimeError('this model has no GradCAM-fitting branch.')
        feature_map = self.last_feature_map(inputs)
        return self.gfb_head.attention(feature_map)
