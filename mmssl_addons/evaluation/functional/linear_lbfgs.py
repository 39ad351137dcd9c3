"""Transfer linear protocol: L-BFGS multinomial logistic regression.

BAM (Shalam & Korman, "Unsupervised Representation Learning by Balanced
Self Attention Matching", ECCV 2024), transfer-learning appendix, following
Kornblith et al. (2019) and SimCLR / BYOL: frozen features without
augmentation, a multinomial logistic regression trained with L-BFGS on the
cross-entropy with an L2 penalty; the penalty is chosen from a
log-spaced grid by accuracy on a validation split, then the classifier is
retrained on train + validation and evaluated on the test split.

Objective (``W`` ``(K, C)``, bias ``b`` unpenalised, ``N`` samples)::

    L(W, b) = 1/N sum_i -log softmax(W x_i + b)[y_i] + l2 / 2 * ||W||_F^2

(sklearn's ``C`` corresponds to ``1 / (l2 * N)``.)
"""
from contextlib import contextmanager
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .retrieval import ArrayLike, check_features_labels

#: SimCLR / BYOL (Kornblith et al. 2019): 45 values log-spaced over
#: [1e-6, 1e5].
DEFAULT_L2_GRID = tuple(float(v) for v in np.logspace(-6, 5, 45))

#: Datasets whose transfer metric is the mean per-class accuracy
#: (Kornblith et al. 2019; SimCLR / BYOL): Aircraft, Pets, Caltech-101,
#: Flowers; matched on the lower-cased name without ``-``, ``_``, `` ``.
MEAN_PER_CLASS_DATASETS = ('aircraft', 'pet', 'caltech101', 'flower')


def transfer_metric(dataset_name: str) -> str:
    """``'mean_per_class'`` for Aircraft, Pets, Caltech-101 and Flowers
    (by type or folder name), else ``'top1'``."""
    name = ''.join(c for c in str(dataset_name).lower() if c not in '-_ ')
    if any(key in name for key in MEAN_PER_CLASS_DATASETS):
        return 'mean_per_class'
    return 'top1'


@contextmanager
def _threads_for(work: int):
    """One intra-op thread for small problems: thread start-up and
    spinning cost far more than the arithmetic there (measured 60x slower
    with 2 threads on a loaded 2-core machine)."""
    before = torch.get_num_threads()
    if work < (1 << 22) and before > 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def logistic_loss(weight: torch.Tensor, bias: torch.Tensor,
                  feats: torch.Tensor, labels: torch.Tensor,
                  l2: float) -> torch.Tensor:
    """The objective ``L(W, b)`` of the module docstring."""
    logits = feats @ weight.T + bias
    return F.cross_entropy(logits, labels) + 0.5 * l2 * weight.pow(2).sum()


def normalize_features(train: torch.Tensor,
                       *others: torch.Tensor,
                       mode: str = 'l2') -> Tuple[torch.Tensor, ...]:
    """``'l2'`` (unit rows), ``'standardize'`` (train mean / std per
    channel, applied to all sets) or ``'none'``."""
    if mode == 'none':
        return (train, *others)
    if mode == 'l2':
        return tuple(F.normalize(x, dim=1) for x in (train, *others))
    if mode == 'standardize':
        mean, std = train.mean(0), train.std(0).clamp_min(1e-6)
        return tuple((x - mean) / std for x in (train, *others))
    raise ValueError(f"feature normalisation must be 'l2', 'standardize' or "
                     f"'none', got {mode!r}.")


def fit_logistic_lbfgs(
    features: ArrayLike,
    labels: ArrayLike,
    num_classes: int,
    l2: float,
    max_iter: int = 500,
    tol: float = 1e-8,
    init: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Minimise ``L(W, b)`` with full-batch L-BFGS (strong Wolfe line
    search) in float64.

    Args:
        features: ``(N, C)`` features (already normalised as wanted).
        labels: ``(N,)`` labels in ``[0, num_classes)``.
        num_classes (int): ``K``.
        l2 (float): Penalty ``l2 >= 0``.
        max_iter (int): L-BFGS iterations. Defaults to 500.
        tol (float): Gradient / change tolerance. Defaults to 1e-8.
        init (tuple, optional): Warm start ``(W, b)``.

    Returns:
        tuple[Tensor, Tensor]: ``W`` ``(K, C)`` and ``b`` ``(K,)``, float64.
    """
    feats, labels = check_features_labels(features, labels, min_samples=1)
    if not l2 >= 0:
        raise ValueError(f'l2 must be >= 0, got {l2!r}.')
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f'labels must lie in [0, {num_classes}).')
    feats = feats.double().cpu()
    labels = labels.cpu()
    if init is None:
        weight = torch.zeros(num_classes, feats.shape[1], dtype=torch.float64)
        bias = torch.zeros(num_classes, dtype=torch.float64)
    else:
        weight, bias = (t.detach().clone().double() for t in init)
    weight.requires_grad_(True)
    bias.requires_grad_(True)
    opt = torch.optim.LBFGS([weight, bias],
                            lr=1,
                            max_iter=max_iter,
                            tolerance_grad=tol,
                            tolerance_change=tol * 1e-3,
                            history_size=20,
                            line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = logistic_loss(weight, bias, feats, labels, l2)
        loss.backward()
        return loss

    with torch.enable_grad(), _threads_for(feats.numel() * num_classes):
        opt.step(closure)
    return weight.detach(), bias.detach()


def linear_accuracy(weight: torch.Tensor, bias: torch.Tensor,
                    features: ArrayLike, labels: ArrayLike) -> float:
    """Top-1 accuracy (percent) of ``argmax(W x + b)``."""
    feats, labels = check_features_labels(features, labels, min_samples=1)
    pred = (feats.double().cpu() @ weight.T + bias).argmax(1)
    return 100. * float((pred == labels.cpu()).double().mean())


def mean_per_class_accuracy(weight: torch.Tensor, bias: torch.Tensor,
                            features: ArrayLike, labels: ArrayLike) -> float:
    """Mean over the classes present in ``labels`` of each class's top-1
    accuracy (percent) of ``argmax(W x + b)``."""
    feats, labels = check_features_labels(features, labels, min_samples=1)
    pred = (feats.double().cpu() @ weight.T + bias).argmax(1)
    labels = labels.cpu()
    accs = [(pred[labels == c] == c).double().mean() for c in labels.unique()]
    return 100. * float(torch.stack(accs).mean())


METRICS = {'top1': linear_accuracy, 'mean_per_class': mean_per_class_accuracy}


def stratified_split(labels: ArrayLike,
                     val_fraction: float = 0.2,
                     seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Hold out ``round(val_fraction * n_c)`` samples of each class ``c``
    (at least one when ``n_c >= 2``) as validation; returns sorted
    ``(train_idx, val_idx)``."""
    if not 0 < val_fraction < 1:
        raise ValueError(f'val_fraction must be in (0, 1), got '
                         f'{val_fraction}.')
    labels = np.asarray(labels)
    train, val = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng = np.random.default_rng([seed, int(c)])
        idx = rng.permutation(idx)
        n_val = min(len(idx) - 1, max(1, round(val_fraction * len(idx))))
        val.extend(idx[:n_val])
        train.extend(idx[n_val:])
    if not val:
        raise ValueError('no class has two samples: cannot hold out a '
                         'validation split; pass one explicitly.')
    return np.sort(train), np.sort(val)


def lbfgs_transfer_eval(train_feats: ArrayLike,
                        train_labels: ArrayLike,
                        test_feats: ArrayLike,
                        test_labels: ArrayLike,
                        val_feats: Optional[ArrayLike] = None,
                        val_labels: Optional[ArrayLike] = None,
                        num_classes: Optional[int] = None,
                        l2_grid: Sequence[float] = DEFAULT_L2_GRID,
                        val_fraction: float = 0.2,
                        feature_norm: str = 'l2',
                        max_iter: int = 500,
                        seed: int = 0,
                        metric: str = 'top1',
                        progress: bool = False) -> Dict[str, object]:
    """BAM's transfer linear protocol on frozen features.

    1. Without ``val_*``, a class-stratified ``val_fraction`` of the train
       set is held out (:func:`stratified_split`).
    2. For each ``l2`` in ``l2_grid`` (fitted from the largest penalty down,
       warm-started), fit on train and score ``metric`` (``'top1'`` or
       ``'mean_per_class'``, see :func:`transfer_metric`) on validation;
       the best wins (ties: the larger penalty).
    3. Refit on train + validation with the chosen ``l2``; report top-1
       and mean per-class accuracy on the test set.

    Features are normalised with ``feature_norm`` using train(+val)
    statistics (see :func:`normalize_features`). ``progress`` shows a bar
    over the grid and the final refit.

    Returns:
        dict: ``top1`` and ``mean_per_class`` (test, percent),
        ``metric`` (the selection metric), ``val_<metric>`` (best
        validation score), ``l2`` (chosen penalty), ``val_curve``
        ``{l2: validation score}``.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be 'top1' or 'mean_per_class', got "
                         f'{metric!r}.')
    score = METRICS[metric]
    train_feats, train_labels = check_features_labels(train_feats,
                                                      train_labels, 2)
    test_feats, test_labels = check_features_labels(test_feats, test_labels)
    if val_feats is None:
        tr, va = stratified_split(train_labels.cpu().numpy(), val_fraction,
                                  seed)
        tr, va = torch.from_numpy(tr), torch.from_numpy(va)
        val_feats, val_labels = train_feats[va], train_labels[va]
        train_feats, train_labels = train_feats[tr], train_labels[tr]
    else:
        val_feats, val_labels = check_features_labels(val_feats, val_labels)
    dims = {x.shape[1] for x in (train_feats, val_feats, test_feats)}
    if len(dims) != 1:
        raise ValueError(f'train/val/test features differ in dimension: '
                         f'{sorted(dims)}.')
    if num_classes is None:
        num_classes = 1 + int(
            max(train_labels.max(), val_labels.max(), test_labels.max()))
    grid = sorted((float(v) for v in l2_grid), reverse=True)
    if not grid:
        raise ValueError('l2_grid is empty.')

    tr_x, va_x = normalize_features(
        train_feats.double(), val_feats.double(), mode=feature_norm)
    from tqdm import tqdm
    bar = tqdm(
        total=len(grid) + 1, desc='L-BFGS l2 grid', disable=not progress)
    curve, best, init = {}, None, None
    for l2 in grid:
        init = fit_logistic_lbfgs(
            tr_x, train_labels, num_classes, l2, max_iter, init=init)
        acc = score(*init, va_x, val_labels)
        curve[l2] = acc
        if best is None or acc > curve[best]:
            best = l2
        bar.set_postfix(l2=f'{l2:.2e}', val=f'{acc:.1f}')
        bar.update(1)

    all_x = torch.cat([train_feats, val_feats]).double()
    all_y = torch.cat([train_labels, val_labels])
    all_x, te_x = normalize_features(
        all_x, test_feats.double(), mode=feature_norm)
    weight, bias = fit_logistic_lbfgs(all_x, all_y, num_classes, best,
                                      max_iter)
    bar.update(1)
    bar.close()
    return {
        'top1': linear_accuracy(weight, bias, te_x, test_labels),
        'mean_per_class': mean_per_class_accuracy(weight, bias, te_x,
                                                  test_labels),
        'metric': metric,
        f'val_{metric}': curve[best],
        'l2': best,
        'val_curve': {
            f'{k:.2e}': v
            for k, v in sorted(curve.items())
        }
    }
