import math

import numpy as np
import pytest
import torch

from mmssl_addons.evaluation.functional import knn_accuracy, knn_classify


def naive_knn(train, train_labels, test, num_classes, k, T):
    """Reference: sort all similarities, loop over the test samples."""
    train = torch.nn.functional.normalize(torch.as_tensor(train).double())
    test = torch.nn.functional.normalize(torch.as_tensor(test).double())
    train_labels = torch.as_tensor(train_labels)
    k = min(k, len(train))
    scores = torch.zeros(len(test), num_classes, dtype=torch.float64)
    for i in range(len(test)):
        sims = train @ test[i]
        order = torch.sort(sims, descending=True, stable=True).indices[:k]
        for j in order:
            scores[i, train_labels[j]] += math.exp(sims[j].item() / T)
    return scores


def make_data(seed, n_train=60, n_test=25, c=8, num_classes=5):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(num_classes, c, generator=g)
    train_labels = torch.randint(0, num_classes, (n_train, ), generator=g)
    test_labels = torch.randint(0, num_classes, (n_test, ), generator=g)
    train = centers[train_labels] + torch.randn(n_train, c, generator=g)
    test = centers[test_labels] + torch.randn(n_test, c, generator=g)
    return train, train_labels, test, test_labels


@pytest.mark.parametrize('seed', [0, 1])
@pytest.mark.parametrize('k,T', [(1, 0.07), (7, 0.07), (20, 0.5), (60, 1.)])
def test_matches_naive_reference(seed, k, T):
    train, train_labels, test, _ = make_data(seed)
    scores, pred = knn_classify(train, train_labels, test, 5, k=k, T=T)
    expected = naive_knn(train, train_labels, test, 5, k, T)
    assert scores.dtype == torch.float32 and scores.shape == (25, 5)
    assert pred.dtype == torch.long and pred.shape == (25, )
    torch.testing.assert_close(scores.double(), expected, rtol=1e-4, atol=0)
    assert torch.equal(pred, expected.argmax(1))


def test_k_larger_than_train_set_is_clipped(monkeypatch):
    from mmssl_addons.evaluation.functional import knn as knn_module
    searched_k = []
    search = knn_module._faiss_search

    def spy(train, test, k, use_gpu):
        searched_k.append(k)
        return search(train, test, k, use_gpu)

    monkeypatch.setattr(knn_module, '_faiss_search', spy)
    train, train_labels, test, _ = make_data(2, n_train=12)
    with pytest.warns(UserWarning, match='using k=12'):
        scores, pred = knn_classify(train, train_labels, test, 5, k=200)
    assert searched_k == [12]  # faiss never asked for missing neighbours
    expected = naive_knn(train, train_labels, test, 5, 12, 0.07)
    torch.testing.assert_close(scores.double(), expected, rtol=1e-4, atol=0)
    assert torch.equal(pred, expected.argmax(1))


def test_hand_computed_weights_and_ties():
    # Two identical train vectors with different labels tie at sim 1;
    # the third is orthogonal (sim 0). With T = 0.5, k = 3:
    # scores = [e^2, e^2 + e^0, 0] -> class 1.
    train = np.array([[1., 0.], [2., 0.], [0., 3.]], dtype=np.float32)
    test = np.array([[5., 0.]], dtype=np.float32)
    scores, pred = knn_classify(train, [0, 1, 1], test, 3, k=3, T=0.5)
    torch.testing.assert_close(scores,
                               torch.tensor([[math.e**2, math.e**2 + 1., 0.]]))
    assert pred.tolist() == [1]
    # k = 2 keeps the two tied neighbours: equal scores -> smaller class.
    scores, pred = knn_classify(train, [0, 1, 1], test, 3, k=2, T=0.5)
    assert scores[0, 0] == scores[0, 1] and pred.tolist() == [0]


def test_knn_accuracy_against_reference():
    train, train_labels, test, test_labels = make_data(3, num_classes=6)
    acc = knn_accuracy(
        train, train_labels, test, test_labels, 6, k=10, topk=(1, 2, 6))
    ref = naive_knn(train, train_labels, test, 6, 10, 0.07)
    top2 = ref.topk(2, dim=1).indices
    assert acc['top1'] == pytest.approx(
        100. * (ref.argmax(1) == test_labels).double().mean().item())
    assert acc['top2'] == pytest.approx(
        100. * (top2 == test_labels[:, None]).any(1).double().mean().item())
    assert acc['top6'] == pytest.approx(100.)


def test_separable_data_is_perfect_and_numpy_works():
    train, train_labels, test, test_labels = make_data(4)
    train, test = train + 50 * torch.eye(8)[train_labels], \
        test + 50 * torch.eye(8)[test_labels]
    acc = knn_accuracy(
        train.numpy(),
        train_labels.numpy(),
        test.numpy(),
        test_labels.numpy(),
        5,
        k=5,
        topk=(1, ))
    assert acc == {'top1': 100.}


def test_use_gpu_without_gpu_falls_back(monkeypatch):
    import faiss
    monkeypatch.setattr(faiss, 'get_num_gpus', lambda: 0)
    train, train_labels, test, _ = make_data(5)
    with pytest.warns(UserWarning, match='searching on CPU'):
        _, pred = knn_classify(train, train_labels, test, 5, k=5, use_gpu=True)
    _, pred_cpu = knn_classify(
        train, train_labels, test, 5, k=5, use_gpu=False)
    assert torch.equal(pred, pred_cpu)


@pytest.mark.parametrize('kwargs,match', [
    (dict(test=torch.randn(3, 4)), 'differ in dimension'),
    (dict(test=torch.randn(3)), 'must be 2-D'),
    (dict(train_labels=torch.tensor([0, 1, 5, 1])), r'\[0, 3\)'),
    (dict(train_labels=torch.tensor([0, 1, -1, 1])), r'\[0, 3\)'),
    (dict(train_labels=torch.tensor([0, 1, 1])), 'mismatched lengths'),
    (dict(num_classes=0), 'num_classes'),
    (dict(k=0), 'k must be a positive int'),
    (dict(T=0.), 'T must be > 0'),
    (dict(test=torch.tensor([[math.nan, 0.]])), 'NaN or inf'),
])
def test_errors(kwargs, match):
    args = dict(
        train=torch.randn(4, 2),
        train_labels=torch.tensor([0, 1, 2, 1]),
        test=torch.randn(3, 2),
        num_classes=3,
        k=2,
        T=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        knn_classify(
            args['train'],
            args['train_labels'],
            args['test'],
            args['num_classes'],
            k=args['k'],
            T=args['T'])


def test_accuracy_topk_above_num_classes():
    with pytest.raises(ValueError, match='num_classes=3'):
        knn_accuracy(
            torch.randn(4, 2), [0, 1, 2, 1],
            torch.randn(2, 2), [0, 1],
            3,
            topk=(1, 5))
