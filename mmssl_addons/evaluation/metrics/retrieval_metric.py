from typing import List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmpretrain.registry import METRICS

from ..functional import retrieval_metrics


@METRICS.register_module()
class RetrievalMetric(BaseMetric):
    """Leave-one-out retrieval Rank-k and mAP over the evaluated set.

    Each test image queries all other test images by cosine similarity of
    its feature; see :func:`mmssl_addons.evaluation.functional.
    retrieval_metrics` for the protocol (LCR, CVPR 2023).

    The feature of a sample is read from the model's ``mode='predict'``
    output: each :class:`mmpretrain.structures.DataSample` must carry a
    1-D ``(C,)`` tensor under ``feature_key`` (set with
    ``data_sample.set_field(feat, 'feature')``) and the label in
    ``gt_label``. With ``feature_key='pred_score'`` the classifier's score
    vector (``ImageClassifier.predict``) is used as the feature instead.

    Args:
        topk (Sequence[int]): The ``k`` values of Rank-k. Defaults to
            ``(1, 5)``.
        feature_key (str): Data sample field holding the feature.
            Defaults to ``'feature'``.
        chunk_size (int): Queries ranked at once. Defaults to 1024.
        collect_device (str): ``'cpu'`` or ``'gpu'``, used to gather the
            results across ranks. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix; defaults to
            ``'retrieval'`` giving ``retrieval/rank1``, ``retrieval/mAP``.
        collect_dir (str, optional): Shared directory for ``'cpu'``
            collection. Defaults to None.
    """
    default_prefix: Optional[str] = 'retrieval'

    def __init__(self,
                 topk: Sequence[int] = (1, 5),
                 feature_key: str = 'feature',
                 chunk_size: int = 1024,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(collect_device, prefix, collect_dir)
        self.topk = (topk, ) if isinstance(topk, int) else tuple(topk)
        self.feature_key = feature_key
        self.chunk_size = chunk_size

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Store the ``(C,)`` feature and the label of every sample.

        Results are float32 / int CPU objects so that they can be pickled
        and gathered across ranks by :meth:`BaseMetric.evaluate`.
        """
        for data_sample in data_samples:
            # A dict (from the Evaluator) or a DataSample: both have .get
            feat = data_sample.get(self.feature_key, None)
            if feat is None:
                raise KeyError(
                    f'data sample has no "{self.feature_key}" field; let '
                    'the model set it in predict mode (data_sample.'
                    f'set_field(feat, "{self.feature_key}")) or choose '
                    'another `feature_key`, e.g. "pred_score".')
            feat = torch.as_tensor(feat).detach()
            if feat.dim() != 1:
                raise ValueError(
                    f'"{self.feature_key}" must be a 1-D (C,) tensor per '
                    f'sample, got shape {tuple(feat.shape)}; pool or '
                    'flatten it in the model.')
            label = data_sample.get('gt_label', None)
            if label is None or torch.as_tensor(label).numel() != 1:
                raise ValueError(
                    'RetrievalMetric needs exactly one gt_label per sample '
                    f'(single-label data), got {label!r}.')
            # clone: a row view of the batch would pickle the whole batch
            self.results.append(
                dict(
                    feature=feat.float().cpu().clone(),
                    gt_label=int(torch.as_tensor(label).item())))

    def compute_metrics(self, results: List[dict]) -> dict:
        """Run :func:`retrieval_metrics` on the gathered ``(N, C)`` set."""
        feats = torch.stack([res['feature'] for res in results])
        labels = torch.tensor([res['gt_label'] for res in results])
        return retrieval_metrics(feats, labels, self.topk, self.chunk_size)
