"""DAVIS boundary F against a naive davis2017-evaluation reference.

``seg2bmap``'s definition (D. Martin, BSDS; davis2017-evaluation
``metrics._seg2bmap``): pixel ``(y, x)`` is a boundary pixel when it
differs from ``(y, x+1)``, ``(y+1, x)`` or ``(y+1, x+1)``, comparing only
neighbours inside the image. ``f_measure`` dilates each boundary with
skimage's ``disk(ceil(0.008 * diagonal))``.
"""
import math

import numpy as np
import pytest

from mmssl_addons.evaluation.functional import boundary_f_measure
from mmssl_addons.evaluation.functional import label_propagation as lp


def naive_seg2bmap(seg):
    h, w = seg.shape
    out = np.zeros((h, w), bool)
    for y in range(h):
        for x in range(w):
            for dy, dx in ((0, 1), (1, 0), (1, 1)):
                yy, xx = y + dy, x + dx
                if yy < h and xx < w and seg[y, x] != seg[yy, xx]:
                    out[y, x] = True
    return out


def naive_f(pred, gt, bound_th=0.008):
    r = math.ceil(bound_th * math.hypot(*gt.shape))
    bp, bg = np.argwhere(naive_seg2bmap(pred)), np.argwhere(naive_seg2bmap(gt))
    if len(bp) == 0 and len(bg) == 0:
        return 1.0
    if len(bp) == 0 or len(bg) == 0:
        return 0.0

    def matched(src, dst):
        d = np.hypot(*(src[:, None] - dst[None]).transpose(2, 0, 1))
        return (d <= r).any(1).sum() / len(src)

    p, rc = matched(bp, bg), matched(bg, bp)
    return 0.0 if p + rc == 0 else 2 * p * rc / (p + rc)


def edge_masks():
    """Masks that touch, cross and fill the frame edge (200 x 260: the
    tolerance is ceil(0.008 * 328) = 3 px)."""
    h, w = 200, 260
    yy, xx = np.mgrid[:h, :w]
    disc = (yy - 20)**2 + (xx - 250)**2 <= 60**2  # crosses top-right
    left = xx < 40  # touches the left edge along its whole height
    box = (yy >= 150) & (xx >= 100) & (xx < 200)  # runs off the bottom
    shifted = np.roll(box, 5, axis=1)
    full = np.ones((h, w), bool)
    return [disc, left, box, shifted, full, disc | box]


def test_boundary_matches_naive_seg2bmap_at_the_frame_edge():
    for m in edge_masks():
        assert np.array_equal(lp.mask_boundary(m), naive_seg2bmap(m))
    # the frame border alone is no boundary: a full mask has none
    assert not lp.mask_boundary(np.ones((5, 7), bool)).any()


def test_disk_is_skimage_disk():
    for r in (1, 3, 8):
        yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
        assert np.array_equal(lp.disk(r), (xx**2 + yy**2 <= r * r))
    skm = pytest.importorskip('skimage.morphology')
    for r in (1, 3, 8, 8.0):
        assert np.array_equal(lp.disk(r), skm.disk(r))


def test_f_matches_naive_reference_on_edge_touching_masks():
    masks = edge_masks()
    for pred in masks:
        for gt in masks:
            assert boundary_f_measure(pred, gt) == pytest.approx(
                naive_f(pred, gt)), (pred.sum(), gt.sum())
    # an object cut by the frame, predicted exactly except the part along
    # the border: DAVIS counts no border boundary, so F = 1
    gt = masks[2]
    pred = gt.copy()
    pred[-1] = False  # leave the border row out
    assert boundary_f_measure(pred, gt) == pytest.approx(naive_f(pred, gt))
