"""Renumber a new k-means partition to match the previous one's ids."""
import numpy as np
import torch
from scipy.optimize import linear_sum_assignment


def _check_labels(name: str, labels: torch.Tensor, num_clusters: int):
    if labels.dim() != 1:
        raise ValueError(f'{name} must be a 1-d (N,) tensor of cluster ids, '
                         f'got shape {tuple(labels.shape)}.')
    if labels.is_floating_point():
        raise ValueError(f'{name} must hold integer cluster ids, got '
                         f'{labels.dtype}.')
    if len(labels) and (int(labels.min()) < 0
                        or int(labels.max()) >= num_clusters):
        raise ValueError(
            f'{name} has ids in [{int(labels.min())}, {int(labels.max())}] '
            f'but num_clusters={num_clusters}: ids must lie in '
            f'[0, {num_clusters - 1}].')


def align_cluster_ids(previous: torch.Tensor, current: torch.Tensor,
                      num_clusters: int) -> torch.Tensor:
    """Relabel ``current`` one-to-one so that it best agrees with ``previous``.

    k-means numbers its clusters arbitrarily at each run, so two nearly equal
    partitions of the same ``N`` images can share almost no ids. With the
    ``(C, C)`` contingency matrix ``M[a, b] = #{i: current_i = a,
    previous_i = b}``, the permutation ``pi`` of ``{0..C-1}`` maximising
    ``sum_a M[a, pi(a)]`` (the number of images keeping their id) is found
    by the Hungarian algorithm (``scipy.optimize.linear_sum_assignment``);
    the result is ``pi(current)``. The partition itself is unchanged, only
    its ids; empty clusters of ``current`` get the ids left over.

    Args:
        previous (Tensor): ``(N,)`` ids of the last clustering.
        current (Tensor): ``(N,)`` ids of the new clustering, same images.
        num_clusters (int): ``C``; ids lie in ``[0, C)``.

    Returns:
        Tensor: ``(N,)`` long, ``current`` renumbered (on ``current``'s
        device).
    """
    if previous.shape != current.shape:
        raise ValueError(
            f'previous {tuple(previous.shape)} and current '
            f'{tuple(current.shape)} must label the same images: equal '
            '(N,) shapes.')
    _check_labels('previous', previous, num_clusters)
    _check_labels('current', current, num_clusters)
    cur = current.detach().long().cpu().numpy()
    prev = previous.detach().long().cpu().numpy()
    contingency = np.zeros((num_clusters, num_clusters), dtype=np.int64)
    np.add.at(contingency, (cur, prev), 1)
    rows, cols = linear_sum_assignment(contingency, maximize=True)
    mapping = np.empty(num_clusters, dtype=np.int64)
    mapping[rows] = cols
    return torch.from_numpy(mapping[cur]).to(current.device)
