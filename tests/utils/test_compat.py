"""The numpy-2-safe mmcv.adjust_hue keeps mmcv's semantics; it is applied
only when asked for."""
import os
import os.path as osp
import subprocess
import sys

import mmcv
import numpy as np
import pytest
from PIL import Image

from mmssl_addons.utils.compat import _hue_shift, patch_mmcv_adjust_hue

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NEEDS_FIX = int(np.__version__.split('.')[0]) >= 2 and \
    mmcv.__version__.startswith('2.1.')


@pytest.fixture(autouse=True, scope='module')
def numpy2_fix():
    patch_mmcv_adjust_hue(logger='silent')


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


@pytest.mark.skipif(not NEEDS_FIX, reason='only mmcv 2.1 under numpy 2')
def test_import_leaves_mmcv_alone_and_the_opt_in_patches():
    """A fresh interpreter: ``import mmssl_addons`` changes nothing, the
    config opt-in module installs the fix and logs it once."""
    code = (
        'import mmcv\n'
        'from mmcv.image import photometric\n'
        'original = photometric.adjust_hue\n'
        'import mmssl_addons\n'
        'assert photometric.adjust_hue is original\n'
        'assert mmcv.adjust_hue is original\n'
        'print("untouched")\n'
        'import mmssl_addons.compat_numpy2\n'
        'assert mmcv.adjust_hue is not original\n'
        'assert photometric.adjust_hue is mmcv.adjust_hue\n'
        'from mmssl_addons.utils import patch_mmcv_adjust_hue\n'
        'assert patch_mmcv_adjust_hue()\n'  # idempotent, logs nothing
        'print("patched")\n')
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    out = subprocess.run([sys.executable, '-c', code],
                         cwd=REPO,
                         env=env,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.index('untouched') < out.stdout.index('patched')
    log = out.stdout + out.stderr
    assert log.count('mmcv.adjust_hue replaced by a numpy-2-safe copy') == 1
