"""align_cluster_ids: one-to-one renumbering of a partition (SCA k-means)."""
import itertools

import pytest
import torch

from mmssl_addons.models.utils import align_cluster_ids


def same_partition(a, b):
    return torch.equal(a[:, None] == a[None, :], b[:, None] == b[None, :])


def test_random_relabelling_with_noise_is_undone():
    g = torch.Generator().manual_seed(0)
    n, c = 2000, 30
    previous = torch.randint(0, c, (n, ), generator=g)
    perm = torch.randperm(c, generator=g)
    current = perm[previous]
    noisy = torch.rand(n, generator=g) < 0.1
    current[noisy] = torch.randint(0, c, (int(noisy.sum()), ), generator=g)
    assert float((current == previous).float().mean()) < 0.1  # shuffled
    aligned = align_cluster_ids(previous, current, c)
    assert aligned.dtype == torch.long and aligned.shape == (n, )
    assert float((aligned == previous).float().mean()) >= 0.88
    # the true permutation is recovered: aligned = perm^-1(current)
    inverse = torch.argsort(perm)
    assert torch.equal(aligned, inverse[current])
    assert same_partition(aligned, current)


def test_identical_partitions_keep_their_ids():
    labels = torch.tensor([3, 0, 0, 2, 1, 3, 3, 4])
    assert torch.equal(align_cluster_ids(labels, labels.clone(), 6), labels)


def test_matches_brute_force_optimum():
    """Agreement equals the best of all C! renumberings (naive search)."""
    g = torch.Generator().manual_seed(1)
    c = 5
    for _ in range(5):
        previous = torch.randint(0, c, (40, ), generator=g)
        current = torch.randint(0, c, (40, ), generator=g)
        best = max(
            int((torch.tensor(p)[current] == previous).sum())
            for p in itertools.permutations(range(c)))
        aligned = align_cluster_ids(previous, current, c)
        assert int((aligned == previous).sum()) == best
        assert same_partition(aligned, current)
        assert aligned.unique().numel() == current.unique().numel()


def test_bad_input_names_the_problem():
    a = torch.tensor([0, 1, 2])
    with pytest.raises(ValueError, match='same images'):
        align_cluster_ids(a, a[:2], 3)
    with pytest.raises(ValueError, match=r'num_clusters=2'):
        align_cluster_ids(a, a, 2)
    with pytest.raises(ValueError, match='integer'):
        align_cluster_ids(a, a.float(), 3)
