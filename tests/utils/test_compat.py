"""The numpy-2-safe mmcv.adjust_hue keeps mmcv's semantics."""
import mmcv
import numpy as np
import pytest
from PIL import Image

import mmssl_addons  # noqa: F401
from mmssl_addons.utils.compat import _hue_shift


def reference_pillow(img, factor):
    """Hue channel of PIL's HSV shifted by int(f * 255) mod 256."""
    pil = Image.fromarray(img[..., ::-1], mode='RGB')
    h, s, v = pil.convert('HSV').split()
    h = (np.array(h, dtype=np.int64) + int(factor * 255)) % 256
    out = Image.merge('HSV', (Image.fromarray(h.astype(np.uint8), 'L'), s, v))
    return np.array(out.convert('RGB'))[..., ::-1]


@pytest.fixture
def image():
    return np.random.default_rng(0).integers(0, 256, (8, 9, 3), np.uint8)


@pytest.mark.parametrize('factor', [-0.5, -0.1, -0.02, 0.0, 0.05, 0.4])
def test_negative_and_positive_factors(image, factor):
    out = mmcv.adjust_hue(image, factor, backend='pillow')
    np.testing.assert_array_equal(out, reference_pillow(image, factor))
    cv = mmcv.adjust_hue(image, factor, backend='cv2')
    assert cv.shape == image.shape and cv.dtype == np.uint8


def test_hue_shift_wraps_like_numpy1():
    assert _hue_shift(-14 / 255) == 242
    assert _hue_shift(0.1) == 25
    assert _hue_shift(-0.5) == 129


def test_colorjitter_with_hue_runs(image):
    from mmpretrain.registry import TRANSFORMS
    jitter = TRANSFORMS.build(
        dict(
            type='ColorJitter',
            brightness=0.4,
            contrast=0.4,
            saturation=0.4,
            hue=0.1))
    for _ in range(20):  # negative hue factors are drawn about half the time
        assert jitter(dict(img=image.copy()))['img'].shape == image.shape


def test_bad_arguments_keep_mmcv_errors(image):
    with pytest.raises(ValueError, match='hue_factor'):
        mmcv.adjust_hue(image, 0.9)
    with pytest.raises(ValueError, match='backend'):
        mmcv.adjust_hue(image, 0.1, backend='turbo')
