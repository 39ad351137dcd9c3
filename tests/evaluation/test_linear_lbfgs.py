"""L-BFGS multinomial logistic regression (BAM transfer protocol)."""
import math

import numpy as np
import pytest
import torch

from mmssl_addons.evaluation.functional import (fit_logistic_lbfgs,
                                                lbfgs_transfer_eval,
                                                logistic_loss)
from mmssl_addons.evaluation.functional.linear_lbfgs import stratified_split


def naive_loss(w, b, x, y, l2):
    total = 0.
    for i in range(len(x)):
        logits = [
            sum(w[k][j] * x[i][j] for j in range(len(x[i]))) + b[k]
            for k in range(len(w))
        ]
        m = max(logits)
        lse = m + math.log(sum(math.exp(v - m) for v in logits))
        total += lse - logits[y[i]]
    reg = sum(v * v for row in w for v in row)
    return total / len(x) + 0.5 * l2 * reg


def test_loss_matches_naive_reference():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(3, 4, generator=g, dtype=torch.float64)
    b = torch.randn(3, generator=g, dtype=torch.float64)
    x = torch.randn(7, 4, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 2, 1, 0, 1])
    ref = naive_loss(w.tolist(), b.tolist(), x.tolist(), y.tolist(), 0.3)
    assert float(logistic_loss(w, b, x, y, 0.3)) == pytest.approx(ref)


def separable(n_per_class=15, num_classes=3, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(num_classes, dim)) * 3
    y = np.repeat(np.arange(num_classes), n_per_class)
    return centres[y] + 0.3 * rng.normal(size=(len(y), dim)), y


def test_fit_reaches_the_optimum():
    x, y = separable()
    w, b = fit_logistic_lbfgs(x, y, 3, l2=0.1)
    w.requires_grad_(True)
    b.requires_grad_(True)
    loss = logistic_loss(w, b, torch.as_tensor(x), torch.as_tensor(y), 0.1)
    gw, gb = torch.autograd.grad(loss, [w, b])
    assert gw.abs().max() < 1e-5 and gb.abs().max() < 1e-5  # stationary
    # strictly convex: a different start reaches the same minimiser
    w2, b2 = fit_logistic_lbfgs(
        x, y, 3, l2=0.1, init=(torch.randn(3, 8), torch.randn(3)))
    assert torch.allclose(w.detach(), w2, atol=1e-4)


def test_transfer_protocol_on_separable_features():
    x, y = separable(seed=1)
    xt, yt = separable(seed=1, n_per_class=10)  # same centres
    xt += 0.3 * np.random.default_rng(5).normal(size=xt.shape)  # new noise
    res = lbfgs_transfer_eval(
        x, y, xt, yt, l2_grid=[1e-4, 1e-2, 1, 1e2], max_iter=100)
    assert res['top1'] == 100.0 and res['val_top1'] == 100.0
    assert res['l2'] in (1e-4, 1e-2, 1, 1e2)
    assert len(res['val_curve']) == 4
    # random labels: chance-level test accuracy, a small penalty is not
    # rewarded by the validation split
    yr = np.random.default_rng(0).integers(0, 3, len(y))
    res = lbfgs_transfer_eval(x, yr, xt, yt, l2_grid=[1e-4, 1e2], max_iter=100)
    assert res['top1'] < 70


def test_stratified_split_and_errors():
    y = np.repeat(np.arange(3), 5)
    tr, va = stratified_split(y, 0.2, seed=0)
    assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == 15
    assert sorted(np.bincount(y[va])) == [1, 1, 1]
    with pytest.raises(ValueError, match='val_fraction'):
        stratified_split(y, 1.5)
    x, y = separable()
    with pytest.raises(ValueError, match='dimension'):
        lbfgs_transfer_eval(x, y, x[:, :3], y)
    with pytest.raises(ValueError, match="'l2', 'standardize'"):
        lbfgs_transfer_eval(x, y, x, y, feature_norm='pca')


def test_default_grid_is_simclr_byol():
    from mmssl_addons.evaluation.functional.linear_lbfgs import DEFAULT_L2_GRID
    assert len(DEFAULT_L2_GRID) == 45
    assert DEFAULT_L2_GRID[0] == pytest.approx(1e-6)
    assert DEFAULT_L2_GRID[-1] == pytest.approx(1e5)
    ratios = np.diff(np.log10(DEFAULT_L2_GRID))
    assert np.allclose(ratios, 11 / 44)


def naive_mean_per_class(pred, y):
    accs = []
    for c in sorted(set(y)):
        idx = [i for i in range(len(y)) if y[i] == c]
        accs.append(sum(pred[i] == c for i in idx) / len(idx))
    return 100. * sum(accs) / len(accs)


def test_mean_per_class_matches_naive_loops():
    from mmssl_addons.evaluation.functional.linear_lbfgs import \
        mean_per_class_accuracy
    g = torch.Generator().manual_seed(0)
    w = torch.randn(4, 5, generator=g, dtype=torch.float64)
    b = torch.randn(4, generator=g, dtype=torch.float64)
    x = torch.randn(30, 5, generator=g, dtype=torch.float64)
    y = [0] * 20 + [1] * 6 + [3] * 4  # unbalanced, class 2 absent
    pred = (x @ w.T + b).argmax(1).tolist()
    ref = naive_mean_per_class(pred, y)
    got = mean_per_class_accuracy(w, b, x, torch.tensor(y))
    assert got == pytest.approx(ref)
    top1 = 100. * sum(p == t for p, t in zip(pred, y)) / len(y)
    assert got != pytest.approx(top1)  # the two metrics differ here


def test_result_reports_both_metrics_and_dataset_metric():
    from mmssl_addons.evaluation.functional.linear_lbfgs import transfer_metric
    x, y = separable(seed=1)
    res = lbfgs_transfer_eval(
        x, y, x, y, l2_grid=[1e-2, 1], max_iter=50, metric='mean_per_class')
    assert {'top1', 'mean_per_class', 'val_mean_per_class', 'l2'} <= set(res)
    assert res['metric'] == 'mean_per_class'
    with pytest.raises(ValueError, match='mean_per_class'):
        lbfgs_transfer_eval(x, y, x, y, metric='top5')
    for name in ('FGVCAircraft', 'OxfordIIITPet', 'Caltech101', 'Flowers102',
                 'CustomDataset data/caltech-101', 'data/oxford_pets'):
        assert transfer_metric(name) == 'mean_per_class', name
    for name in ('Food101', 'CIFAR100', 'StanfordCars', 'CUB',
                 'FineGrainedCUB data/CUB_200_2011'):
        assert transfer_metric(name) == 'top1', name
