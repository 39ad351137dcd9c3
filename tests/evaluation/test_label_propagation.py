"""Label propagation and DAVIS J / F against naive references."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmssl_addons.evaluation.functional import (boundary_f_measure,
                                                davis_j_and_f,
                                                propagate_labels,
                                                region_jaccard)
from mmssl_addons.evaluation.functional.label_propagation import mask_boundary


def naive_propagate(feats, first, n_last, topk, temperature):
    """Loops over target positions; features (C, h, w)."""
    c, h, w = feats[0].shape
    vec = [[
        F.normalize(f[:, y, x], dim=0) for y in range(h) for x in range(w)
    ] for f in feats]
    labels = [[first[:, y, x] for y in range(h) for x in range(w)]]
    for t in range(1, len(feats)):
        ctx = [0] + list(range(max(1, t - n_last), t))
        out = []
        for p in range(h * w):
            cands = [(float(vec[t][p] @ vec[i][q]), labels[i][q]) for i in ctx
                     for q in range(h * w)]
            cands.sort(key=lambda s: -s[0])
            top = cands[:topk]
            ws = [math.exp(s / temperature) for s, _ in top]
            out.append(
                sum(wi * lab for wi, (_, lab) in zip(ws, top)) / sum(ws))
        labels.append(out)
    return [torch.stack(lab).T.reshape(-1, h, w) for lab in labels]


def test_propagation_matches_naive_loops():
    g = torch.Generator().manual_seed(0)
    feats = [torch.randn(4, 3, 3, generator=g) for _ in range(4)]
    first = torch.softmax(torch.randn(3, 3, 3, generator=g), 0)
    ours = propagate_labels(feats, first, n_last=2, topk=3, temperature=0.2)
    ref = naive_propagate(feats, first, n_last=2, topk=3, temperature=0.2)
    for a, b in zip(ours, ref):
        assert torch.allclose(a, b, atol=1e-5)
    # label distributions stay distributions
    assert torch.allclose(ours[-1].sum(0), torch.ones(3, 3), atol=1e-5)


def test_propagation_radius_restricts_the_neighbourhood():
    # identical features everywhere: without a radius any cell may vote
    feats = [torch.ones(2, 1, 5) for _ in range(2)]
    first = torch.zeros(2, 1, 5)
    first[0, 0, :4] = 1
    first[1, 0, 4] = 1
    out = propagate_labels(feats, first, topk=1, radius=0.)
    assert torch.equal(out[1], first)  # radius 0: copies the same cell
    with pytest.raises(ValueError, match='first_labels'):
        propagate_labels(feats, torch.zeros(2, 2, 5))


def test_region_jaccard_and_boundary_f():
    a = np.zeros((20, 20), bool)
    a[5:15, 5:15] = True
    b = np.zeros_like(a)
    b[5:15, 7:17] = True
    # naive: pixel loops
    inter = sum(a[i, j] and b[i, j] for i in range(20) for j in range(20))
    union = sum(a[i, j] or b[i, j] for i in range(20) for j in range(20))
    assert region_jaccard(a, b) == pytest.approx(inter / union)
    assert region_jaccard(a, a) == 1.0
    assert region_jaccard(np.zeros_like(a), np.zeros_like(a)) == 1.0
    assert boundary_f_measure(a, a) == 1.0
    assert boundary_f_measure(a, np.zeros_like(a)) == 0.0

    # naive F: tolerance ceil(0.008 * diag) = 1 pixel (Euclidean disk)
    ba, bb = mask_boundary(a), mask_boundary(b)
    pa, pb = np.argwhere(ba), np.argwhere(bb)

    def matched(src, dst):
        return sum(any(np.hypot(*(p - q)) <= 1 for q in dst) for p in src)

    prec, rec = matched(pa, pb) / len(pa), matched(pb, pa) / len(pb)
    ref = 2 * prec * rec / (prec + rec)
    assert boundary_f_measure(b, a) == pytest.approx(ref)
    # seg2bmap: the contour offset half a pixel towards the origin (rows
    # 4 and 14, columns 4 and 14 of the 5..14 square), 40 pixels
    assert ba.sum() == 40 and not ba[5:14, 5:14].any() and ba[4, 4]


def test_davis_j_and_f_skips_first_and_last_frame():
    gt = [np.zeros((8, 8), np.uint8) for _ in range(4)]
    for m in gt:
        m[2:6, 2:6] = 1
    pred = [m.copy() for m in gt]
    pred[0][:] = 0  # first and last frames are not scored
    pred[3][:] = 0
    pred[2][:] = 0  # a miss in a scored frame
    res = davis_j_and_f(pred, gt)
    assert res == {1: {'J': 0.5, 'F': 0.5}}
