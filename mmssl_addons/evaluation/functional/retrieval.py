"""Leave-one-out image retrieval metrics (Rank-k and mAP).

Protocol used by fine-grained self-supervised retrieval papers, e.g. LCR
(Shu et al., "Learning Common Rationale to Improve Self-Supervised
Representation for Fine-Grained Visual Recognition Problems", CVPR 2023),
which follow the unsupervised fine-grained retrieval setting: every test
image queries all *other* test images ranked by cosine similarity.
"""
import warnings
from typing import Dict, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F

ArrayLike = Union[torch.Tensor, np.ndarray]


def _as_tensor(x, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.detach()
    try:
        return torch.as_tensor(np.asarray(x))
    except (TypeError, ValueError) as e:
        raise ValueError(
            f'`{name}` must be a torch.Tensor or numpy array, got '
            f'{type(x).__name__}; convert it with torch.as_tensor().') from e


def _check_topk(topk, num_gallery: int) -> tuple:
    topk = (topk, ) if isinstance(topk, int) else tuple(topk)
    if len(topk) == 0:
        raise ValueError('`topk` is empty; pass e.g. topk=(1, 5).')
    for k in topk:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise ValueError(f'`topk` must contain ints, got {k!r}.')
        if k < 1 or k > num_gallery:
            raise ValueError(
                f'topk={k} is out of range: each query ranks the other '
                f'N - 1 = {num_gallery} samples, so every k must satisfy '
                f'1 <= k <= {num_gallery}; reduce `topk` or evaluate on '
                'more samples.')
    return tuple(int(k) for k in topk)


def check_features_labels(features: ArrayLike,
                          labels: ArrayLike,
                          min_samples: int = 1):
    """Validate and convert a ``(N, C)`` feature / ``(N,)`` label pair.

    Returns:
        tuple[Tensor, Tensor]: Features (float, finite) and int64 labels.
    """
    feats = _as_tensor(features, 'features')
    labels = _as_tensor(labels, 'labels')
    if feats.dim() != 2:
        raise ValueError(
            f'features must be 2-D (N, C), got shape {tuple(feats.shape)}; '
            'pool feature maps (N, C, H, W) over H, W or flatten them first.')
    if labels.dim() != 1:
        raise ValueError(
            f'labels must be 1-D (N,), got shape {tuple(labels.shape)}; '
            'pass one integer class index per sample (e.g. labels.view(-1)).')
    if labels.numel() and (labels.dtype.is_floating_point
                           or labels.dtype.is_complex):
        raise ValueError(f'labels must be integers, got {labels.dtype}; '
                         'cast them with labels.long().')
    if feats.shape[0] != labels.shape[0]:
        raise ValueError(
            f'features and labels have mismatched lengths '
            f'({feats.shape[0]} vs {labels.shape[0]}); pass exactly one '
            'label per feature row.')
    if feats.shape[0] < min_samples:
        raise ValueError(
            f'got {feats.shape[0]} samples but at least {min_samples} are '
            'needed; evaluate on a larger set.')
    if not feats.is_floating_point():
        feats = feats.float()
    if not torch.isfinite(feats).all():
        raise ValueError(
            'features contain NaN or inf values; check the model output '
            '(e.g. fp16 overflow or a diverged run) before evaluating.')
    return feats, labels.long().to(feats.device)


def retrieval_metrics(features: ArrayLike,
                      labels: ArrayLike,
                      topk: Sequence[int] = (1, 5),
                      chunk_size: int = 1024) -> Dict[str, float]:
    """Leave-one-out retrieval Rank-k accuracy and mAP (in percent).

    Protocol (LCR, CVPR 2023 and the unsupervised fine-grained retrieval
    setting it follows):

    - Features are L2-normalised and compared with cosine similarity.
    - Each of the ``N`` samples queries the other ``N - 1`` samples (itself
      is excluded). Ties in similarity are broken deterministically by
      ascending sample index (stable sort). Similarities are computed in
      float64 and rounded to float32 before ranking, so numerically equal
      similarities (e.g. duplicated features) tie exactly.
    - ``rank{k}``: percentage of queries with at least one same-label sample
      among their top ``k`` results.
    - ``mAP``: mean over queries of the average precision over the full
      ranking of the ``N - 1`` others, AP = mean of precision@r over the
      ranks r of the relevant (same-label) samples.
    - Queries whose label occurs nowhere else have no relevant item; they
      are excluded from **both** Rank-k and mAP, and a warning reports how
      many were dropped.

    Queries are processed ``chunk_size`` at a time, so peak memory is
    ``O(chunk_size * N)`` instead of ``O(N^2)``.

    Args:
        features (Tensor | np.ndarray): Features of shape ``(N, C)``.
        labels (Tensor | np.ndarray): Integer labels of shape ``(N,)``.
        topk (Sequence[int]): The ``k`` values for Rank-k, each in
            ``[1, N - 1]``. Defaults to ``(1, 5)``.
        chunk_size (int): Number of queries ranked at once.
            Defaults to 1024.

    Returns:
        dict[str, float]: ``{'rank1': ..., 'rank5': ..., 'mAP': ...}``, one
        ``rank{k}`` entry per ``k`` in ``topk``, all in ``[0, 100]``.
    """
    feats, labels = check_features_labels(features, labels, min_samples=2)
    n = feats.shape[0]
    topk = _check_topk(topk, n - 1)
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f'chunk_size must be a positive int, got '
                         f'{chunk_size!r}.')

    feats = F.normalize(feats.double(), dim=1)
    maxk = max(topk)
    hits = {k: 0 for k in topk}
    ap_sum = 0.
    num_valid = 0
    for start in range(0, n, chunk_size):
        idx = torch.arange(
            start, min(start + chunk_size, n), device=feats.device)
        sims = (feats[idx] @ feats.T).float()
        # Exclude the query itself: it sorts last and is dropped.
        sims[torch.arange(len(idx), device=idx.device), idx] = float('-inf')
        order = torch.sort(-sims, dim=1, stable=True).indices[:, :-1]
        rel = labels[order] == labels[idx].unsqueeze(1)  # (B, N - 1)
        num_rel = rel.sum(dim=1)
        valid = num_rel > 0
        rel, num_rel = rel[valid], num_rel[valid]
        num_valid += int(valid.sum())
        top = rel[:, :maxk]
        for k in topk:
            hits[k] += int(top[:, :k].any(dim=1).sum())
        # The j-th relevant item of a query, at 0-based position p, has
        # precision j / (p + 1); AP is the mean over its relevant items.
        rows, pos = rel.nonzero(as_tuple=True)
        first = torch.cumsum(num_rel, 0) - num_rel
        j = torch.arange(1, len(rows) + 1, device=rows.device) - first[rows]
        precision = j.double() / (pos + 1).double()
        ap = torch.zeros_like(num_rel, dtype=torch.float64)
        ap.index_add_(0, rows, precision)
        ap_sum += float((ap / num_rel).sum())

    if num_valid == 0:
        raise ValueError(
            'no query has another sample with the same label, so Rank-k and '
            'mAP are undefined; retrieval needs at least two samples of some '
            'class in the evaluated set.')
    if num_valid < n:
        warnings.warn(
            f'{n - num_valid} of {n} queries have no other sample of the '
            'same label and are excluded from Rank-k and mAP.')
    results = {f'rank{k}': 100. * hits[k] / num_valid for k in topk}
    results['mAP'] = 100. * ap_sum / num_valid
    return results
