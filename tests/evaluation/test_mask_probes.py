"""attention_in_mask and background_sensitivity against naive loops."""
import math

import numpy as np
import pytest
import torch

from mmssl_addons.evaluation.functional import (attention_in_mask,
                                                background_sensitivity)


def naive_bilinear(img, out_h, out_w):
    """Half-pixel-centre bilinear resize (align_corners=False), loops."""
    in_h, in_w = img.shape
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        sy = max((r + 0.5) * in_h / out_h - 0.5, 0.0)
        y0 = min(int(math.floor(sy)), in_h - 1)
        y1, wy = min(y0 + 1, in_h - 1), sy - y0
        for c in range(out_w):
            sx = max((c + 0.5) * in_w / out_w - 0.5, 0.0)
            x0 = min(int(math.floor(sx)), in_w - 1)
            x1, wx = min(x0 + 1, in_w - 1), sx - x0
            out[r,
                c] = ((1 - wy) * ((1 - wx) * img[y0, x0] + wx * img[y0, x1]) +
                      wy * ((1 - wx) * img[y1, x0] + wx * img[y1, x1]))
    return out


def naive_attention(maps, masks, clamp=True, resize=naive_bilinear):
    energies, points = [], []
    for m, k in zip(maps.numpy(), masks.numpy()):
        a = resize(m, *k.shape)
        if clamp:
            a = np.maximum(a, 0)
        total, inside = 0.0, 0.0
        best, best_in = -np.inf, False
        for r in range(k.shape[0]):
            for c in range(k.shape[1]):
                total += a[r, c]
                inside += a[r, c] * k[r, c]
                if a[r, c] > best:
                    best, best_in = a[r, c], bool(k[r, c])
        energies.append(inside / total if total > 0 else k.mean())
        points.append(best_in)
    return 100 * np.mean(energies), 100 * np.mean(points)


def nearest(img, out_h, out_w):
    rows = (np.arange(out_h) * img.shape[0]) // out_h
    cols = (np.arange(out_w) * img.shape[1]) // out_w
    return img[rows][:, cols]


@pytest.fixture
def case():
    gen = torch.Generator().manual_seed(0)
    maps = torch.randn(5, 4, 5, generator=gen)
    masks = torch.rand(5, 13, 11, generator=gen) > 0.6
    return maps, masks


def test_attention_matches_the_naive_loop(case):
    maps, masks = case
    out = attention_in_mask(maps, masks)
    energy, pointing = naive_attention(maps, masks)
    assert out['energy'] == pytest.approx(energy, abs=1e-5)  # float32 maps
    assert out['pointing'] == pytest.approx(pointing, abs=1e-9)
    assert out['num_images'] == 5


def test_attention_differs_from_wrong_variants(case):
    """Without clamping negatives, or with nearest resizing, the numbers
    change: the test above can tell them apart."""
    maps, masks = case
    out = attention_in_mask(maps, masks)
    no_clamp, _ = naive_attention(maps, masks, clamp=False)
    near, _ = naive_attention(maps, masks, resize=nearest)
    assert abs(out['energy'] - no_clamp) > 1
    assert abs(out['energy'] - near) > 0.01  # >> the 1e-5 tolerance


def test_attention_extremes():
    masks = torch.zeros(2, 8, 8, dtype=torch.bool)
    masks[:, :4] = True
    inside = torch.zeros(2, 8, 8)
    inside[:, 1, 2] = 5.0
    out = attention_in_mask(inside, masks)
    assert out['pointing'] == 100.0 and out['energy'] == pytest.approx(100.0)
    out = attention_in_mask(-torch.ones(2, 2, 2), masks)  # all clamped
    assert out['energy'] == pytest.approx(50.0)  # uniform = mask share


@pytest.mark.parametrize('maps,masks,words', [
    (torch.zeros(2, 4), torch.zeros(2, 4, 4, dtype=torch.bool), '(N, h, w)'),
    (torch.zeros(2, 4, 4), torch.zeros(2, 4, 4), 'boolean'),
    (torch.zeros(2, 4, 4), torch.zeros(3, 4, 4, dtype=torch.bool), 'same'),
    (torch.full((1, 2, 2), float('nan')), torch.ones(
        1, 2, 2, dtype=torch.bool), 'NaN'),
])
def test_attention_bad_input(maps, masks, words):
    with pytest.raises(
            ValueError, match=words.replace('(', r'\(').replace(')', r'\)')):
        attention_in_mask(maps, masks)


def naive_sensitivity(a, b, o):

    def dist(x, y):
        dot = sum(float(p) * float(q) for p, q in zip(x, y))
        nx = math.sqrt(sum(float(p)**2 for p in x))
        ny = math.sqrt(sum(float(q)**2 for q in y))
        return 1 - dot / (nx * ny)

    d_bg = sum(dist(x, y) for x, y in zip(a, b)) / len(a)
    d_obj = sum(dist(x, y) for x, y in zip(a, o)) / len(a)
    return d_bg / (d_bg + d_obj), d_bg, d_obj


def test_background_sensitivity_matches_the_naive_loop():
    gen = torch.Generator().manual_seed(1)
    a, b, o = (torch.randn(7, 6, generator=gen) for _ in range(3))
    b = a + 0.3 * b  # close: the background barely matters
    out = background_sensitivity(a, b, o)
    ref, d_bg, d_obj = naive_sensitivity(a, b, o)
    assert out['background_sensitivity'] == pytest.approx(ref, abs=1e-12)
    assert out['d_background'] == pytest.approx(d_bg, abs=1e-12)
    assert out['d_object'] == pytest.approx(d_obj, abs=1e-12)
    assert 0 <= ref < 0.5
    # wrong variant: roles swapped gives 1 - S, far from S here
    swapped = background_sensitivity(a, o, b)['background_sensitivity']
    assert swapped == pytest.approx(1 - ref) and abs(swapped - ref) > 0.2


def test_background_sensitivity_range():
    a = torch.randn(4, 3)
    low = background_sensitivity(a, a.clone() * 2, -a)
    high = background_sensitivity(a, -a, a * 3)
    assert low['background_sensitivity'] == pytest.approx(0.0, abs=1e-12)
    assert high['background_sensitivity'] == pytest.approx(1.0, abs=1e-12)


def test_background_sensitivity_bad_input():
    a = torch.randn(4, 3)
    with pytest.raises(ValueError, match='same'):
        background_sensitivity(a, a[:3], a)
    with pytest.raises(ValueError, match='all zero'):
        background_sensitivity(a, torch.zeros(4, 3), a)
    with pytest.raises(ValueError, match='undefined'):
        background_sensitivity(a, a, a)
    with pytest.raises(ValueError, match=r'\(N, C\)'):
        background_sensitivity(a[0], a[0], a[0])
