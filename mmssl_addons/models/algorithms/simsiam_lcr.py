"""SimSiam + Learning Common Rationale: adding LCR to a new base."""
from mmpretrain.models.selfsup import SimSiam
from mmpretrain.registry import MODELS

from .common_rationale_mixin import CommonRationaleMixin


@MODELS.register_module()
class SimSiamLCR(CommonRationaleMixin, SimSiam):
    """SimSiam (Chen & He, CVPR 2021) with the GradCAM-fitting branch of
    *Learning Common Rationale* (Shu, Yu, Liu, CVPR 2023)."""

    def _simsiam_loss(self, maps):
        z1, z2 = (self.neck(self.neck_input(phi))[0] for phi in maps)
        return 0.5 * (self.head.loss(z1, z2) + self.head.loss(z2, z1))

    def view_loss(self, inputs):
        phi = self.backbone(inputs)[-1]
        return [phi], self._simsiam_loss([phi, phi]), None

    def loss(self, inputs, data_samples, **kwargs):
        if not self.with_gfb:
            return super().loss(inputs, data_samples, **kwargs)
        maps = [self.backbone(view)[-1] for view in inputs[:2]]
        loss = self._simsiam_loss(maps)
        return dict(loss=loss, **self.gfb_head.loss(maps, loss))
