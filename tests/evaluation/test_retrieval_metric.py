import pickle

import pytest
import torch

pytest.importorskip('mmpretrain')

from mmengine.evaluator import Evaluator  # noqa: E402
from mmpretrain.registry import METRICS  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402

from mmssl_addons.evaluation import RetrievalMetric  # noqa: E402
from mmssl_addons.evaluation.functional import retrieval_metrics  # noqa: E402


def make_samples(feats, labels, key='feature'):
    samples = []
    for feat, label in zip(feats, labels):
        sample = DataSample().set_gt_label(int(label))
        if key == 'pred_score':
            sample.set_pred_score(feat)
        else:
            sample.set_field(feat, key)
        samples.append(sample)
    return samples


def run_evaluator(metric, feats, labels, batch_size=4, key='feature'):
    evaluator = Evaluator(metric)
    samples = make_samples(feats, labels, key)
    for i in range(0, len(samples), batch_size):
        evaluator.process(samples[i:i + batch_size])
    return evaluator.evaluate(len(samples))


def data(seed=0, n=30, c=8, num_classes=4):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, c, generator=g),
            torch.randint(0, num_classes, (n, ), generator=g))


def test_registered_and_default_prefix():
    metric = METRICS.build(dict(type='RetrievalMetric', topk=(1, 3)))
    assert isinstance(metric, RetrievalMetric)
    assert metric.prefix == 'retrieval' and metric.topk == (1, 3)


def test_evaluator_matches_functional():
    feats, labels = data()
    res = run_evaluator(RetrievalMetric(topk=(1, 2, 5)), feats, labels)
    expected = retrieval_metrics(feats, labels, (1, 2, 5))
    assert res == {f'retrieval/{k}': v for k, v in expected.items()}
    assert set(res) == {
        'retrieval/rank1', 'retrieval/rank2', 'retrieval/rank5',
        'retrieval/mAP'
    }


def test_pred_score_key_and_custom_prefix():
    feats, labels = data(1, c=5)
    scores = feats.softmax(dim=1)
    metric = RetrievalMetric(feature_key='pred_score', prefix='ret')
    res = run_evaluator(metric, scores, labels, key='pred_score')
    expected = retrieval_metrics(scores, labels)
    assert res == {f'ret/{k}': v for k, v in expected.items()}


def test_results_are_picklable_cpu():
    feats, labels = data(2, n=6)
    metric = RetrievalMetric()
    # DataSample objects directly and the dicts an Evaluator passes.
    samples = make_samples(feats.double(), labels)
    metric.process(None, samples[:3])
    metric.process(None, [s.to_dict() for s in samples[3:]])
    assert len(metric.results) == 6
    restored = pickle.loads(pickle.dumps(metric.results))
    for res in restored:
        assert res['feature'].device.type == 'cpu'
        assert res['feature'].dtype == torch.float32
        assert isinstance(res['gt_label'], int)
    # A row view of a batch must not drag the whole batch into the pickle.
    batch = torch.randn(512, 8)
    metric.process(None, make_samples(batch[:2], labels[:2]))
    assert metric.results[-1]['feature'].untyped_storage().nbytes() == 8 * 4


def test_missing_or_bad_feature():
    feats, labels = data(3, n=4)
    metric = RetrievalMetric()
    with pytest.raises(KeyError, match='feature_key'):
        metric.process(None, make_samples(feats, labels, key='other'))
    sample = DataSample().set_gt_label(0)
    sample.set_field(torch.randn(2, 3), 'feature')
    with pytest.raises(ValueError, match=r'1-D \(C,\)'):
        metric.process(None, [sample])
    sample = DataSample().set_gt_label([0, 1])
    sample.set_field(torch.randn(3), 'feature')
    with pytest.raises(ValueError, match='exactly one gt_label'):
        metric.process(None, [sample])
