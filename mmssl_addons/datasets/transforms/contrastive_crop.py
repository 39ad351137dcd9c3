"""ContrastiveCrop: random resized crops centred inside a per-image box."""
import math
from typing import Optional, Sequence, Tuple

import numpy as np
from mmpretrain.datasets.transforms import RandomResizedCrop
from mmpretrain.registry import TRANSFORMS

BOX_KEY = 'crop_box'
FULL_BOX = (0., 0., 1., 1.)


def check_box(box) -> Tuple[float, float, float, float]:
    """Validate a normalised ``(h0, w0, h1, w1)`` box in ``[0, 1]``."""
    try:
        h0, w0, h1, w1 = (float(v) for v in box)
    except (TypeError, ValueError):
        raise ValueError(f'{BOX_KEY} must be 4 numbers (h0, w0, h1, w1) in '
                         f'[0, 1], got {box!r}.') from None
    if not (0 <= h0 <= h1 <= 1 and 0 <= w0 <= w1 <= 1):
        raise ValueError(f'{BOX_KEY} must satisfy 0 <= h0 <= h1 <= 1 and '
                         f'0 <= w0 <= w1 <= 1, got {box!r}.')
    return h0, w0, h1, w1


@TRANSFORMS.register_module()
class ContrastiveCrop(RandomResizedCrop):
    """Random resized crop whose centre is drawn inside a box.

    *Crafting Better Contrastive Views for Siamese Representation Learning*
    (Peng, Wang, Zhu, Wang, You, CVPR 2022), used by BAM (Appendix G). The
    crop size and aspect ratio are drawn as in ``RandomResizedCrop``; the
    crop centre is drawn in the box ``results['crop_box']`` (normalised
    ``(h0, w0, h1, w1)``, see :class:`ContrastiveCropDataset`) as
    ``h0 + (h1 - h0) * Beta(alpha, alpha)`` (same for ``w``), and the crop is
    then shifted to lie inside the image. ``alpha < 1`` (U-shaped, the
    ContrastiveCrop default 0.6) pushes the centres of two views apart.

    Without a box (``results`` has no ``'crop_box'``: before the first box
    update, BAM Appendix G "we initially employ RandomCrop") the crop is
    exactly ``RandomResizedCrop``'s: the same random draws give the same
    crop. A whole-image box ``(0, 0, 1, 1)`` is not the same: its centres
    follow the U-shaped Beta over the whole image.

    Args:
        scale (int | tuple): output size.
        alpha (float): Beta distribution parameter. Defaults to 0.6.
        **kwargs: ``RandomResizedCrop`` arguments (``crop_ratio_range``,
            ``aspect_ratio_range``, ``max_attempts``, ``interpolation``,
            ``backend``).
    """

    def __init__(self, scale, alpha: float = 0.6, **kwargs) -> None:
        super().__init__(scale, **kwargs)
        if alpha <= 0:
            raise ValueError(f'alpha must be > 0, got {alpha}.')
        self.alpha = alpha
        self._box: Optional[Sequence[float]] = None

    def rand_crop_params(self, img: np.ndarray) -> Tuple[int, int, int, int]:
        if self._box is None:  # no box yet: plain RandomResizedCrop
            return super().rand_crop_params(img)
        h, w = img.shape[:2]
        area = h * w
        h0, w0, h1, w1 = self._box
        log_ratio = (math.log(self.aspect_ratio_range[0]),
                     math.log(self.aspect_ratio_range[1]))
        for _ in range(self.max_attempts):
            target_area = np.random.uniform(*self.crop_ratio_range) * area
            aspect_ratio = math.exp(np.random.uniform(*log_ratio))
            target_w = int(round(math.sqrt(target_area * aspect_ratio)))
            target_h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < target_w <= w and 0 < target_h <= h:
                return (self._offset(h, target_h, h0,
                                     h1), self._offset(w, target_w, w0,
                                                       w1), target_h, target_w)
        return super().rand_crop_params(img)  # its central-crop fallback

    def _offset(self, size: int, crop: int, lo: float, hi: float) -> int:
        """Top/left offset: centre ~ lo + (hi - lo) Beta, crop kept inside."""
        first = min(max(int(size * lo) - crop // 2, 0), size - crop)
        last = min(max(int(size * hi) - crop // 2, 0), size - crop)
        return first + int(
            (last - first) * np.random.beta(self.alpha, self.alpha))

    def transform(self, results: dict) -> Optional[dict]:
        box = results.get(BOX_KEY, None)
        self._box = None if box is None else check_box(box)
        try:
            return super().transform(results)
        finally:
            self._box = None

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', alpha={self.alpha})'
