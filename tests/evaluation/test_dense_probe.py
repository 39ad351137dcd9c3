"""mean_iou against a naive loop; the dense linear probe on planted
features."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmssl_addons.evaluation.functional import dense_linear_probe, mean_iou


def naive_miou(pred, target, k):
    inter, union = [0] * k, [0] * k
    for p_img, t_img in zip(pred.tolist(), target.tolist()):
        for p_row, t_row in zip(p_img, t_img):
            for p, t in zip(p_row, t_row):
                for c in range(k):
                    inter[c] += int(p == c and t == c)
                    union[c] += int(p == c or t == c)
    ious = [i / u for i, u in zip(inter, union) if u > 0]
    return 100 * sum(ious) / len(ious)


def test_mean_iou_matches_the_naive_loop():
    gen = torch.Generator().manual_seed(0)
    target = torch.randint(0, 4, (3, 6, 7), generator=gen)
    pred = torch.where(
        torch.rand(3, 6, 7, generator=gen) < 0.7, target,
        torch.randint(0, 4, (3, 6, 7), generator=gen))
    out = mean_iou(pred, target, 5)  # class 4 absent: left out
    assert out['miou'] == pytest.approx(naive_miou(pred, target, 5))
    assert np.isnan(out['iou'][4])
    # wrong variant: per-image mean of the IoUs differs from the
    # dataset-level one the standard (mmseg IoUMetric) uses
    per_image = np.mean(
        [naive_miou(pred[i:i + 1], target[i:i + 1], 5) for i in range(3)])
    assert abs(per_image - out['miou']) > 1e-3


def test_mean_iou_bad_input():
    t = torch.zeros(1, 2, 2, dtype=torch.long)
    with pytest.raises(ValueError, match='integer'):
        mean_iou(t.float(), t, 2)
    with pytest.raises(ValueError, match=r'\(N, H, W\)'):
        mean_iou(t[0], t[0], 2)
    with pytest.raises(ValueError, match=r'\[0, 2\)'):
        mean_iou(t, t + 2, 2)


def planted(n, gen, informative=True):
    """Labels (N, 16, 16) of a random square; features (N, 5, 8, 8) whose
    first channel is the downsampled object mask (plus noise)."""
    labels = torch.zeros(n, 16, 16, dtype=torch.long)
    for i in range(n):
        r, c = torch.randint(0, 9, (2, ), generator=gen).tolist()
        labels[i, r:r + 8, c:c + 8] = 1
    mask = F.avg_pool2d(labels[:, None].float(), 2)
    feats = torch.randn(n, 5, 8, 8, generator=gen)
    if informative:
        feats[:, :1] = 4 * mask + 0.1 * feats[:, :1]
    return feats, labels


def test_dense_probe_learns_planted_features_and_not_noise():
    gen = torch.Generator().manual_seed(0)
    x_tr, y_tr = planted(16, gen)
    x_te, y_te = planted(8, gen)
    out = dense_linear_probe(x_tr, y_tr, x_te, y_te, 2, steps=150, lr=0.1)
    assert out['miou'] > 85 and out['pred'].shape == y_te.shape
    # wrong variant: features that carry no information about the labels
    n_tr, _ = planted(16, gen, informative=False)
    n_te, _ = planted(8, gen, informative=False)
    noise = dense_linear_probe(n_tr, y_tr, n_te, y_te, 2, steps=150, lr=0.1)
    assert noise['miou'] < 60
    # deterministic for a seed
    again = dense_linear_probe(x_tr, y_tr, x_te, y_te, 2, steps=150, lr=0.1)
    assert again['miou'] == out['miou']


def test_dense_probe_bad_input():
    x, y = torch.zeros(2, 3, 4, 4), torch.zeros(2, 8, 8, dtype=torch.long)
    with pytest.raises(ValueError, match='train_feats'):
        dense_linear_probe(x[0], y, x, y, 2)
    with pytest.raises(ValueError, match='channel'):
        dense_linear_probe(x, y, x[:, :2], y, 2)
    with pytest.raises(ValueError, match='test_labels'):
        dense_linear_probe(x, y, x, y.float(), 2)
    with pytest.raises(ValueError, match='num_classes'):
        dense_linear_probe(x, y, x, y, 1)
    with pytest.raises(ValueError, match=r'\[0, 2\)'):
        dense_linear_probe(x, y + 3, x, y, 2)
