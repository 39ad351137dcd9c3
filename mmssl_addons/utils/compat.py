"""Fixes for known incompatibilities of the pinned stack.

mmcv 2.1.0 predates numpy 2. Its ``adjust_hue`` shifts the hue channel with
``np.uint8(hue_factor * 255)``, which numpy 2 rejects for negative factors
(``OverflowError: Python integer -14 out of bounds for uint8``), so every
``ColorJitter`` with ``hue > 0`` (the MoCo v2 / BYOL / SimCLR augmentations
of mmpretrain) crashes at random. :func:`patch_mmcv_adjust_hue` replaces it
with a version that performs the same modulo-256 shift. It only acts on
mmcv 2.1.x under numpy >= 2 and is idempotent.

Nothing applies it on ``import mmssl_addons``: ``tools/train.py`` and
``tools/test.py`` call it, and a config opts in by listing
``mmssl_addons.compat_numpy2`` in ``custom_imports``.
"""
import numpy as np
from mmengine.logging import print_log

#: The log line written when the fix is installed.
ADJUST_HUE_NOTE = (
    'mmssl_addons: mmcv.adjust_hue replaced by a numpy-2-safe copy (mmcv '
    '2.1 computes np.uint8(hue_factor * 255), which numpy 2 rejects for the '
    'negative factors of ColorJitter(hue > 0)); same modulo-256 hue shift.')


def _hue_shift(hue_factor: float) -> np.uint8:
    """The uint8 hue offset numpy 1 produced: ``int(f * 255) mod 256``."""
    return np.uint8(int(hue_factor * 255) % 256)


def _make_adjust_hue(original, cv2, Image, default_backend):

    def adjust_hue(img, hue_factor, backend=None):
        if backend is None:
            backend = default_backend()
        if backend not in ('cv2', 'pillow'):
            return original(img, hue_factor, backend)  # original error
        if not -0.5 <= hue_factor <= 0.5:
            return original(img, hue_factor, backend)
        if not (isinstance(img, np.ndarray) and img.ndim in (2, 3)):
            return original(img, hue_factor, backend)
        shift = _hue_shift(hue_factor)
        if backend == 'pillow':
            assert img.dtype == np.uint8, \
                'Pillow backend only support uint8 type'
            pil = Image.fromarray(img[..., ::-1], mode='RGB')
            h, s, v = pil.convert('HSV').split()
            np_h = np.array(h, dtype=np.uint8)
            with np.errstate(over='ignore'):
                np_h += shift
            pil = Image.merge('HSV', (Image.fromarray(np_h, 'L'), s, v))
            return np.array(pil.convert('RGB'), dtype=img.dtype)[..., ::-1]
        dtype = img.dtype
        hsv = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
        h, s, v = cv2.split(hsv)
        h = h.astype(np.uint8)
        with np.errstate(over='ignore'):
            h += shift
        out = cv2.cvtColor(cv2.merge([h, s, v]), cv2.COLOR_HSV2BGR_FULL)
        return out.astype(dtype)

    adjust_hue.__doc__ = original.__doc__
    adjust_hue._mmssl_numpy2_fix = True
    return adjust_hue


def is_adjust_hue_patched() -> bool:
    """Whether mmcv's ``adjust_hue`` is the numpy-2-safe copy."""
    from mmcv.image import photometric
    return getattr(photometric.adjust_hue, '_mmssl_numpy2_fix', False)


def patch_mmcv_adjust_hue(logger='current') -> bool:
    """Install the numpy-2-safe ``adjust_hue``; return True if it is in place.

    Logs :data:`ADJUST_HUE_NOTE` to ``logger`` (mmengine's ``print_log``;
    ``'silent'`` for none) when it installs it, not when it already was.
    """
    import mmcv
    if int(np.__version__.split('.')
           [0]) < 2 or not mmcv.__version__.startswith('2.1.'):
        return False
    import cv2
    from mmcv.image import io as mmcv_io
    from mmcv.image import photometric
    from PIL import Image
    if is_adjust_hue_patched():
        return True
    fixed = _make_adjust_hue(photometric.adjust_hue, cv2, Image,
                             lambda: mmcv_io.imread_backend)
    photometric.adjust_hue = fixed
    mmcv.adjust_hue = fixed
    import mmcv.image
    mmcv.image.adjust_hue = fixed
    print_log(ADJUST_HUE_NOTE, logger=logger)
    return True
