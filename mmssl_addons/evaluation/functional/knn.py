"""Weighted k-nearest-neighbour classification of frozen features.

The monitor of InstDisc (Wu et al., "Unsupervised Feature Learning via
Non-Parametric Instance Discrimination", CVPR 2018), also used by MoCo and
DINO: cosine similarity to the training features, the top ``k`` neighbours
vote for their class with weight ``exp(sim / T)``.
"""
import warnings
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .retrieval import ArrayLike, check_features_labels

#: Largest ``k`` supported by faiss GPU brute-force search.
_FAISS_GPU_MAX_K = 2048


def _to_faiss(feats: torch.Tensor) -> np.ndarray:
    """L2-normalise ``(N, C)`` features into a float32 C-contiguous array."""
    feats = F.normalize(feats.float(), dim=1).cpu().numpy()
    return np.ascontiguousarray(feats, dtype=np.float32)


def _faiss_search(train: np.ndarray, test: np.ndarray, k: int,
                  use_gpu: Optional[bool]) -> Tuple[np.ndarray, np.ndarray]:
    """Exact inner-product top-``k`` search with ``faiss.IndexFlatIP``."""
    import faiss
    index = faiss.IndexFlatIP(train.shape[1])
    num_gpus = faiss.get_num_gpus() if hasattr(faiss, 'get_num_gpus') else 0
    if use_gpu and num_gpus == 0:
        warnings.warn('use_gpu=True but faiss sees no GPU (faiss-cpu build '
                      'or no device); searching on CPU.')
    if (use_gpu or use_gpu is None) and num_gpus > 0 \
            and k <= _FAISS_GPU_MAX_K:
        res = faiss.StandardGpuResources()
        index = faiss.index_cpu_to_gpu(res, 0, index)
    index.add(train)
    return index.search(test, k)


def knn_classify(
        train_feats: ArrayLike,
        train_labels: ArrayLike,
        test_feats: ArrayLike,
        num_classes: int,
        k: int = 200,
        T: float = 0.07,
        use_gpu: Optional[bool] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Weighted kNN classification (InstDisc / MoCo monitor protocol).

    Both feature sets are L2-normalised; the ``k`` training samples with the
    highest cosine similarity ``s`` to a test sample (exact search with
    ``faiss.IndexFlatIP``) vote for their label with weight ``exp(s / T)``;
    a class score is the sum of the weights of its neighbours.

    Args:
        train_feats (Tensor | np.ndarray): Train features ``(N, C)``.
        train_labels (Tensor | np.ndarray): Train labels ``(N,)`` in
            ``[0, num_classes)``.
        test_feats (Tensor | np.ndarray): Test features ``(M, C)``.
        num_classes (int): Number of classes.
        k (int): Number of neighbours; clipped to ``N`` with a warning.
            Defaults to 200.
        T (float): Temperature of the weights. Defaults to 0.07.
        use_gpu (bool, optional): Use a faiss GPU index. ``None`` (default)
            uses one when ``faiss.get_num_gpus() > 0``.

    Returns:
        tuple[Tensor, Tensor]: ``scores`` of shape ``(M, num_classes)``
        (float32, on CPU) and predicted labels ``pred`` of shape ``(M,)``
        (int64; ties go to the smallest class index).
    """
    scores = _knn_scores(train_feats, train_labels, test_feats, num_classes, k,
                         T, use_gpu)
    return scores.float(), scores.argmax(dim=1)


def _knn_scores(train_feats, train_labels, test_feats, num_classes, k, T,
                use_gpu) -> torch.Tensor:
    """Validate inputs and return float64 ``(M, num_classes)`` scores."""
    train_feats, train_labels = check_features_labels(
        train_feats, train_labels, min_samples=1)
    test_feats, _ = check_features_labels(
        test_feats, torch.zeros(len(test_feats), dtype=torch.long))
    if test_feats.shape[1] != train_feats.shape[1]:
        raise ValueError(
            f'train and test features differ in dimension '
            f'({train_feats.shape[1]} vs {test_feats.shape[1]}); extract '
            'both with the same model and pooling.')
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(
            f'num_classes must be a positive int, got {num_classes!r}.')
    if train_labels.min() < 0 or train_labels.max() >= num_classes:
        raise ValueError(
            f'train labels must lie in [0, {num_classes}), got range '
            f'[{int(train_labels.min())}, {int(train_labels.max())}]; '
            'pass the correct num_classes.')
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f'k must be a positive int, got {k!r}.')
    if not T > 0:
        raise ValueError(f'temperature T must be > 0, got {T!r}.')
    n_train = train_feats.shape[0]
    if k > n_train:
        warnings.warn(f'k={k} exceeds the {n_train} training samples; '
                      f'using k={n_train}.')
        k = n_train

    sims, idx = _faiss_search(
        _to_faiss(train_feats), _to_faiss(test_feats), int(k), use_gpu)
    sims = torch.from_numpy(sims).double()
    neighbour_labels = train_labels.cpu()[torch.from_numpy(idx)]
    weights = torch.exp(sims / T)
    scores = torch.zeros(len(sims), num_classes, dtype=torch.float64)
    return scores.scatter_add_(1, neighbour_labels, weights)


def knn_accuracy(train_feats: ArrayLike,
                 train_labels: ArrayLike,
                 test_feats: ArrayLike,
                 test_labels: ArrayLike,
                 num_classes: int,
                 k: int = 200,
                 T: float = 0.07,
                 topk: Sequence[int] = (1, 5),
                 use_gpu: Optional[bool] = None) -> Dict[str, float]:
    """Top-k accuracy (percent) of :func:`knn_classify` predictions.

    Args:
        test_labels (Tensor | np.ndarray): Test labels ``(M,)``.
        topk (Sequence[int]): Each ``k`` in ``[1, num_classes]``.
            Defaults to ``(1, 5)``.
        Other arguments are those of :func:`knn_classify`.

    Returns:
        dict[str, float]: ``{'top1': ..., 'top5': ...}`` in ``[0, 100]``.
    """
    test_feats, test_labels = check_features_labels(
        test_feats, test_labels, min_samples=1)
    topk = (topk, ) if isinstance(topk, int) else tuple(topk)
    for tk in topk:
        if not 1 <= tk <= num_classes:
            raise ValueError(
                f'topk={tk} must be in [1, num_classes={num_classes}]; '
                'drop it from `topk`.')
    scores = _knn_scores(train_feats, train_labels, test_feats, num_classes, k,
                         T, use_gpu)
    # Stable sort so that ties go to the smaller class index, like argmax.
    ranked = torch.sort(-scores, dim=1, stable=True).indices
    correct = ranked[:, :max(topk)] == test_labels.cpu().unsqueeze(1)
    return {
        f'top{tk}': 100. * correct[:, :tk].any(dim=1).float().mean().item()
        for tk in topk
    }
