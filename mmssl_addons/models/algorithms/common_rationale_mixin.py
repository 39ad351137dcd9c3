"""Learning Common Rationale (LCR) on any base with a last feature map."""
from typing import List, Optional, Tuple

import torch

from ..utils import build_addon_head, objective_gradcam, preserved_norm_stats
from .feature_predict_mixin import FeaturePredictMixin


class CommonRationaleMixin(FeaturePredictMixin):
    """Adds LCR's GradCAM-fitting branch (``gfb_head``) to a base method.

    *Learning Common Rationale for Self-Supervised Representation Learning
    of Fine-Grained Images* (Shu, Yu, Liu, CVPR 2023):
    ``L = L_SSL + nu * KL(softmax(G/tau) || softmax(A/tau))``. The base's
    ``loss`` computes its feature maps ``phi`` and its loss as usual,
    feeding its neck ``self.neck_input(phi)``, then adds
    ``self.gfb_head.loss(maps, loss)`` (:class:`GradCAMFittingHead`: the
    GradCAM is taken inside the head). At test time features are the
    head's attention pooling of ``phi`` (``predict`` mode).

    An algorithm is ``class XLCR(CommonRationaleMixin, X)`` plus its
    ``loss`` and, for GradCAM visualisation, :meth:`view_loss`; see
    ``docs/architecture.md`` for the SimSiam example. ``gfb_head=None``
    leaves the base method unchanged.

    Args:
        gfb_head (dict, optional): :class:`GradCAMFittingHead` config.
        *args, **kwargs: the base method's arguments.
    """

    def __init__(self,
                 *args,
                 gfb_head: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gfb_head = build_addon_head(gfb_head)

    @property
    def with_gfb(self) -> bool:
        return getattr(self, 'gfb_head', None) is not None

    def neck_input(self, feature_map: torch.Tensor) -> Tuple[torch.Tensor]:
        """What the base's neck receives from ``phi`` ``(N, C, H, W)``."""
        if self.with_gfb:
            return self.gfb_head.neck_input(feature_map)
        return (feature_map, )

    def extract_pooled_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Test-time feature ``(N, C)``: the head's pooling, else GAP."""
        feature_map = self.last_feature_map(inputs)
        if self.with_gfb:
            return self.gfb_head.pool(feature_map)
        return feature_map.mean(dim=(2, 3))

    def view_loss(
        self, inputs: torch.Tensor
    ) -> Tuple[List[torch.Tensor], torch.Tensor, Optional[torch.Tensor]]:
        """``(maps, ssl_loss, positive_logits)`` of one view paired with
        itself, without changing any state (queues, EMA).

        Used by :meth:`view_gradcam`; implemented by each algorithm.
        """
        raise NotImplementedError

    def view_gradcam(self, inputs: torch.Tensor) -> torch.Tensor:
        """GradCAM ``G`` ``(N, H, W)`` of the SSL objective for one view.

        At test time there is no second augmented view, so the image is
        paired with itself. Without a branch, ``G`` is that of the SSL loss
        scaled per image (the base method's GradCAM).
        """
        x = self._single_view(inputs)
        with torch.enable_grad(), preserved_norm_stats(self):
            maps, loss, logits = self.view_loss(x)
            if self.with_gfb:
                (target, ) = self.gfb_head.gradcam(maps[:1], loss, logits)
            else:
                (target, ) = objective_gradcam(maps[:1], loss)
        return target

    def extract_attention(self, inputs: torch.Tensor) -> torch.Tensor:
        """GFB attention ``A'`` ``(N, H, W)`` for visualisation."""
        if not self.with_gfb:
            raise RuntimeError('this model has no GradCAM-fitting branch.')
        return self.gfb_head.attention(self.last_feature_map(inputs))
