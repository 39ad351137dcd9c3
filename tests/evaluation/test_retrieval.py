import math
import warnings

import numpy as np
import pytest
import torch

from mmssl_addons.evaluation.functional import retrieval_metrics


def naive_retrieval(features, labels, topk=(1, 5)):
    """Reference straight from the definitions, one query at a time."""
    feats = np.asarray(features, dtype=np.float64)
    feats = feats / np.maximum(
        np.linalg.norm(feats, axis=1, keepdims=True), 1e-12)
    labels = list(np.asarray(labels))
    n = len(labels)
    hits = {k: 0 for k in topk}
    aps = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        sim = {j: np.float32(np.dot(feats[i], feats[j])) for j in others}
        ranking = sorted(others, key=lambda j: (-sim[j], j))
        rel = [labels[j] == labels[i] for j in ranking]
        if not any(rel):
            continue
        for k in topk:
            hits[k] += any(rel[:k])
        precisions, found = [], 0
        for r, is_rel in enumerate(rel, start=1):
            if is_rel:
                found += 1
                precisions.append(found / r)
        aps.append(sum(precisions) / len(precisions))
    out = {f'rank{k}': 100. * hits[k] / len(aps) for k in topk}
    out['mAP'] = 100. * sum(aps) / len(aps)
    return out


def assert_same(a, b, rel=1e-9):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=rel, abs=1e-9), key


def random_data(seed, n=80, c=16, num_classes=6):
    rng = np.random.default_rng(seed)
    feats = rng.standard_normal((n, c)).astype(np.float32)
    return feats, rng.integers(0, num_classes, n)


def tied_data(seed, n=70, num_classes=4):
    """Low-dimensional integer features: many duplicates, many exact ties."""
    rng = np.random.default_rng(seed)
    feats = rng.integers(0, 3, (n, 3)).astype(np.float32)
    feats[feats.sum(1) == 0] = 1.  # avoid zero vectors
    return feats, rng.integers(0, num_classes, n)


def test_hand_computed_ap():
    # Unit vectors at 0, 10, 25 and 45 degrees, labels A A B A.
    # q0 ranks [1, 2, 3] -> rel [1, 0, 1] -> AP = (1/1 + 2/3) / 2 = 5/6
    # q1 ranks [0, 2, 3] -> rel [1, 0, 1] -> AP = 5/6
    # q2 (label B) has no other B -> excluded
    # q3 ranks [2, 1, 0] -> rel [0, 1, 1] -> AP = (1/2 + 2/3) / 2 = 7/12
    ang = np.deg2rad([0., 10., 25., 45.])
    feats = np.stack([np.cos(ang), np.sin(ang)], 1)
    with pytest.warns(UserWarning, match='1 of 4 queries'):
        res = retrieval_metrics(feats, [0, 0, 1, 0], topk=(1, 2))
    assert res['mAP'] == pytest.approx(100 * (5 / 6 + 5 / 6 + 7 / 12) / 3)
    assert res['mAP'] == pytest.approx(75.)
    assert res['rank1'] == pytest.approx(200 / 3)
    assert res['rank2'] == pytest.approx(100.)
    assert list(res) == ['rank1', 'rank2', 'mAP']
    assert all(isinstance(v, float) for v in res.values())


def test_ties_broken_by_index():
    # All features identical: every ranking is the index order.
    # q0 ranks [1(B), 2(A)] -> AP 1/2, rank1 miss; q1 excluded;
    # q2 ranks [0(A), 1(B)] -> AP 1, rank1 hit.
    feats = torch.ones(3, 4)
    with pytest.warns(UserWarning):
        res = retrieval_metrics(feats, torch.tensor([0, 1, 0]), topk=1)
    assert res == {'rank1': pytest.approx(50.), 'mAP': pytest.approx(75.)}


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('make', [random_data, tied_data])
def test_matches_naive_reference(seed, make):
    feats, labels = make(seed)
    topk = (1, 2, 5, 10)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        expected = naive_retrieval(feats, labels, topk)
        got = retrieval_metrics(torch.from_numpy(feats), labels, topk, 16)
    assert_same(got, expected)


@pytest.mark.parametrize('make', [random_data, tied_data])
def test_chunk_size_does_not_matter(make):
    feats, labels = make(3, n=150)
    results = [
        retrieval_metrics(feats, labels, (1, 5), chunk_size=cs)
        for cs in (1, 7, 64, 150, 4096)
    ]
    for res in results[1:]:
        # Only the float summation order of the APs may differ.
        assert_same(res, results[0], rel=1e-12)


def test_invariant_to_feature_scaling():
    feats, labels = random_data(4)
    base = retrieval_metrics(feats, labels)
    # Powers of two keep the normalised features bit-identical.
    pow2 = 2.**np.random.default_rng(0).integers(-8, 8, (len(feats), 1))
    assert retrieval_metrics(feats * pow2, labels) == base
    scale = np.random.default_rng(1).uniform(0.01, 100, (len(feats), 1))
    assert_same(retrieval_metrics(feats * scale, labels), base)


def test_invariant_to_sample_permutation():
    feats, labels = random_data(5, n=120)
    base = retrieval_metrics(feats, labels, (1, 3, 5))
    perm = np.random.default_rng(0).permutation(len(feats))
    assert_same(retrieval_metrics(feats[perm], labels[perm], (1, 3, 5)), base)


def test_numpy_and_torch_inputs_agree():
    feats, labels = random_data(6)
    assert retrieval_metrics(feats, labels) == retrieval_metrics(
        torch.from_numpy(feats).double(), torch.from_numpy(labels))


def test_perfect_and_values_in_percent():
    feats = torch.eye(3).repeat_interleave(4, 0) + 0.01 * torch.rand(12, 3)
    labels = torch.arange(3).repeat_interleave(4)
    res = retrieval_metrics(feats, labels, (1, 3))
    assert res == {'rank1': 100., 'rank3': 100., 'mAP': pytest.approx(100.)}
    res = retrieval_metrics(feats, torch.tensor([0, 1] * 6), (1, ))
    assert 0 <= res['rank1'] <= 100 and 0 <= res['mAP'] <= 100


def test_no_relevant_query_at_all():
    with pytest.raises(ValueError, match='no query has another sample'):
        retrieval_metrics(torch.randn(4, 3), [0, 1, 2, 3], topk=(1, ))


@pytest.mark.parametrize('feats,labels,topk,match', [
    (torch.randn(5, 3), [0, 1, 0, 1], (1, ), 'mismatched lengths'),
    (torch.randn(5), [0, 1, 0, 1, 0], (1, ), 'must be 2-D'),
    (torch.randn(5, 3, 2), [0, 1, 0, 1, 0], (1, ), 'must be 2-D'),
    (torch.randn(5, 3), [[0, 1, 0, 1, 0]], (1, ), 'must be 1-D'),
    (torch.randn(5, 3), [0., 1., 0., 1., 0.], (1, ), 'must be integers'),
    (torch.randn(1, 3), [0], (1, ), 'at least 2'),
    (torch.randn(0, 3), [], (1, ), 'at least 2'),
    (torch.tensor([[0., math.nan], [1., 0.]]), [0, 0], (1, ), 'NaN or inf'),
    (torch.tensor([[0., math.inf], [1., 0.]]), [0, 0], (1, ), 'NaN or inf'),
    (torch.randn(5, 3), [0, 1, 0, 1, 0], (5, ), r'1 <= k <= 4'),
    (torch.randn(5, 3), [0, 1, 0, 1, 0], (0, 1), r'1 <= k <= 4'),
    (torch.randn(5, 3), [0, 1, 0, 1, 0], (), 'empty'),
])
def test_errors(feats, labels, topk, match):
    with pytest.raises(ValueError, match=match):
        retrieval_metrics(feats, labels, topk)


def test_bad_chunk_size():
    with pytest.raises(ValueError, match='chunk_size'):
        retrieval_metrics(torch.randn(4, 3), [0, 0, 1, 1], (1, ), 0)
