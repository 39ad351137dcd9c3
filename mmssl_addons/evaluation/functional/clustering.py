"""k-means clustering of frozen features scored with NMI and ARI.

Protocol of BAM (Shalam & Korman, "Unsupervised Representation Learning by
Balanced Self Attention Matching", ECCV 2024), appendix "A Simple
Clustering Experiment": pick ``n`` classes at random, collect all their
images, run a standard k-means with ``k = n`` on the embeddings and score
the partition against the labels with Normalized Mutual Information and the
Adjusted Rand Index; average over several random class subsets.
"""
import warnings
from typing import Dict, Optional

import numpy as np
import torch.nn.functional as F

from .retrieval import ArrayLike, check_features_labels


def contingency_matrix(labels_true: np.ndarray,
                       labels_pred: np.ndarray) -> np.ndarray:
    """``(R, S)`` counts ``n_ij`` of samples in true class ``i`` and
    predicted cluster ``j`` (classes / clusters relabelled densely)."""
    labels_true = np.asarray(labels_true).ravel()
    labels_pred = np.asarray(labels_pred).ravel()
    if labels_true.shape != labels_pred.shape:
        raise ValueError(f'labels_true and labels_pred differ in length '
                         f'({labels_true.size} vs {labels_pred.size}).')
    _, t = np.unique(labels_true, return_inverse=True)
    _, p = np.unique(labels_pred, return_inverse=True)
    table = np.zeros((t.max(initial=-1) + 1, p.max(initial=-1) + 1),
                     dtype=np.int64)
    np.add.at(table, (t, p), 1)
    return table


def _entropy(counts: np.ndarray) -> float:
    n = counts.sum()
    p = counts[counts > 0] / n
    return float(-(p * np.log(p)).sum())


def normalized_mutual_info(labels_true: np.ndarray,
                           labels_pred: np.ndarray) -> float:
    """NMI with arithmetic-mean normalisation, in ``[0, 1]``.

    ``NMI = I(U; V) / ((H(U) + H(V)) / 2)`` with natural logarithms; two
    single-cluster partitions give 1 (the usual convention).
    """
    table = contingency_matrix(labels_true, labels_pred).astype(np.float64)
    n = table.sum()
    if n == 0:
        raise ValueError('NMI of an empty labelling is undefined.')
    h_true, h_pred = _entropy(table.sum(1)), _entropy(table.sum(0))
    if h_true == 0 and h_pred == 0:
        return 1.0
    nz = table > 0
    outer = np.outer(table.sum(1), table.sum(0))
    mi = float((table[nz] / n * np.log(table[nz] * n / outer[nz])).sum())
    return max(0.0, mi / ((h_true + h_pred) / 2))


def adjusted_rand_index(labels_true: np.ndarray,
                        labels_pred: np.ndarray) -> float:
    """Adjusted Rand Index (Hubert & Arabie, 1985), at most 1.

    ``ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2))
    / 2 - E)`` with ``E = sum_i C(a_i, 2) * sum_j C(b_j, 2) / C(n, 2)``;
    identical trivial partitions (nothing to adjust) give 1.
    """
    table = contingency_matrix(labels_true, labels_pred).astype(np.float64)
    n = table.sum()

    def comb2(x):
        return x * (x - 1) / 2

    sum_ij = comb2(table).sum()
    sum_a, sum_b = comb2(table.sum(1)).sum(), comb2(table.sum(0)).sum()
    expected = sum_a * sum_b / comb2(n) if n > 1 else 0.
    max_index = (sum_a + sum_b) / 2
    if max_index == expected:
        return 1.0
    return float((sum_ij - expected) / (max_index - expected))


def kmeans_assign(features: np.ndarray,
                  k: int,
                  seed: int = 0,
                  niter: int = 50,
                  nredo: int = 3,
                  gpu: bool = False,
                  max_points_per_centroid: int = 1 << 30) -> np.ndarray:
    """faiss k-means (``nredo`` restarts, best objective kept).

    ``(N, d)`` features -> ``(N,)`` int64 ids of the nearest centroid.
    faiss trains on at most ``max_points_per_centroid * k`` sampled points
    (all of them by default; faiss' own default is 256); ``gpu`` asks for a
    faiss GPU index (faiss-gpu build).
    """
    import faiss
    features = np.ascontiguousarray(features, dtype=np.float32)
    if k > len(features):
        raise ValueError(f'k-means with k={k} needs at least {k} samples, '
                         f'got {len(features)}.')
    km = faiss.Kmeans(
        features.shape[1],
        int(k),
        niter=niter,
        nredo=nredo,
        seed=int(seed),
        verbose=False,
        gpu=bool(gpu),
        min_points_per_centroid=1,
        max_points_per_centroid=int(max_points_per_centroid))
    # small problems on one thread: OpenMP spinning costs more than the
    # arithmetic there (and stalls on a loaded machine)
    before = faiss.omp_get_max_threads()
    if features.size * k < (1 << 22):
        faiss.omp_set_num_threads(1)
    try:
        km.train(features)
        _, assign = km.index.search(features, 1)
    finally:
        faiss.omp_set_num_threads(before)
    return assign[:, 0].astype(np.int64)


def kmeans_cluster_scores(features: ArrayLike,
                          labels: ArrayLike,
                          num_classes_subset: Optional[int] = None,
                          n_subsets: int = 1,
                          seed: int = 0,
                          normalize: bool = True,
                          niter: int = 50,
                          nredo: int = 3,
                          progress: bool = False) -> Dict[str, float]:
    """k-means NMI / ARI of features, averaged over random class subsets.

    BAM appendix protocol: each of the ``n_subsets`` rounds draws
    ``num_classes_subset`` classes at random (without replacement, from a
    generator seeded with ``seed``), keeps all samples of these classes,
    runs faiss k-means with ``k`` = the number of classes in the subset and
    scores the assignment against the labels. ``num_classes_subset=None``
    uses every class in every round (the rounds then differ only in the
    k-means seed).

    Args:
        features (Tensor | ndarray): ``(N, C)`` features.
        labels (Tensor | ndarray): ``(N,)`` integer labels.
        num_classes_subset (int, optional): Classes per round.
        n_subsets (int): Number of rounds averaged. Defaults to 1.
        seed (int): Seed of the class draws and of k-means. Defaults to 0.
        normalize (bool): L2-normalise features first (cosine geometry,
            like the retrieval and kNN protocols). Defaults to True.
        niter (int): k-means iterations. Defaults to 50.
        nredo (int): k-means restarts. Defaults to 3.
        progress (bool): Show a bar over the rounds. Defaults to False.

    Returns:
        dict[str, float]: ``{'nmi': ..., 'ari': ...}`` means over the
        rounds, in ``[0, 1]`` (ARI can be slightly negative), plus
        ``'nmi_std'`` and ``'ari_std'`` when ``n_subsets > 1``.
    """
    feats, labels = check_features_labels(features, labels, min_samples=2)
    if normalize:
        feats = F.normalize(feats.double(), dim=1)
    feats = feats.float().cpu().numpy()
    labels = labels.cpu().numpy()
    classes = np.unique(labels)
    if num_classes_subset is None:
        num_classes_subset = len(classes)
    is_int = isinstance(num_classes_subset, (int, np.integer))
    if not is_int or not 2 <= num_classes_subset <= len(classes):
        raise ValueError(
            f'num_classes_subset must be an int in [2, {len(classes)}] (the '
            f'number of classes present), got {num_classes_subset!r}.')
    if not isinstance(n_subsets, (int, np.integer)) or n_subsets < 1:
        raise ValueError(f'n_subsets must be a positive int, got '
                         f'{n_subsets!r}.')
    rng = np.random.default_rng(seed)
    from tqdm import tqdm
    nmis, aris = [], []
    for r in tqdm(
            range(n_subsets), desc='k-means rounds', disable=not progress):
        chosen = rng.choice(classes, num_classes_subset, replace=False)
        keep = np.isin(labels, chosen)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            pred = kmeans_assign(feats[keep], num_classes_subset, seed + r,
                                 niter, nredo)
        nmis.append(normalized_mutual_info(labels[keep], pred))
        aris.append(adjusted_rand_index(labels[keep], pred))
    out = dict(nmi=float(np.mean(nmis)), ari=float(np.mean(aris)))
    if n_subsets > 1:
        out.update(nmi_std=float(np.std(nmis)), ari_std=float(np.std(aris)))
    return out
