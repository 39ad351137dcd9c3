"""The probes of ``tools/reproduce_mini.py``: metric name -> value.

Each metric takes an :class:`Evaluation` (one model on one synthetic test
bed) and returns a float. They are the library's probes
(``mmssl_addons.evaluation.functional``) with the protocols of the
``tools/analysis`` tools:

- ``knn_top1``: weighted kNN (k = 20, T = 0.07), train split as memory,
  test split classified, the model's own test-time feature;
- ``retrieval_rank1`` / ``retrieval_map``: leave-one-out on the test split;
- ``kmeans_nmi``: faiss k-means with k = number of classes on the test
  features, NMI x 100;
- ``background_sensitivity``: ``D_bg / (D_bg + D_obj)`` on the controlled
  pairs (in [0, 1], lower = less background dependence);
- ``part_energy`` / ``object_energy``: ``attention_in_mask`` energy (%) of
  a map inside the union of the class-defining parts (head, beak, tail,
  wing stripe) / the object mask;
- ``dense_miou``: 1x1-conv probe of the frozen last stage, object vs
  background, mIoU (%) on the test split.
"""
import warnings
from typing import Callable, Dict

import torch

from mmssl_addons.evaluation.feature_cache import (build_split_dataset,
                                                   extract_features,
                                                   model_feature_fn)
# yapf: disable
from mmssl_addons.evaluation.functional import (attention_in_mask,
                                                background_sensitivity,
                                                dense_linear_probe,
                                                kmeans_cluster_scores,
                                                knn_accuracy,
                                                retrieval_metrics)
# yapf: enable
from mmssl_addons.evaluation.linear_head import fit_head_on_features
from mmssl_addons.evaluation.mask_data import (feature_maps, images_features,
                                               load_split_with_masks,
                                               pair_images)
from mmssl_addons.evaluation.probe_maps import probe_maps

PARTS = ('head', 'beak', 'tail', 'wing_stripe')


class Evaluation:
    """One model on one test bed; caches features and masks.

    Args:
        model: The built model (eval mode), on ``device``.
        cfg (Config): Its config (test pipeline and data root).
    """

    def __init__(self, model, cfg):
        self.model, self.cfg = model.eval(), cfg
        self._cache = {}

    def cached(self, key, fn: Callable):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def features(self, split: str, feature: str = 'auto') -> dict:
        return self.cached(('feat', split, feature), lambda: extract_features(
            self.model,
            build_split_dataset(self.cfg, split),
            feature,
            progress=False))

    def with_masks(self, split: str) -> dict:
        return self.cached(('masks', split),
                           lambda: load_split_with_masks(self.cfg, split))

    def maps(self, kind: str) -> torch.Tensor:
        """``(N, h, w)`` maps of the test images (``probe_maps``)."""
        return self.cached(('maps', kind), lambda: self._maps(kind))

    def _maps(self, kind):
        test = self.with_masks('test')
        head = None
        if kind == 'cam':
            train = self.features('train', 'backbone_gap')
            head = fit_head_on_features(train['features'], train['labels'],
                                        1 + int(train['labels'].max()))
        return probe_maps(self.model, kind, test['inputs'], test['labels'],
                          head)


def knn_top1(ev: Evaluation, **_) -> float:
    train, test = ev.features('train'), ev.features('test')
    num_classes = 1 + int(max(train['labels'].max(), test['labels'].max()))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return knn_accuracy(
            train['features'],
            train['labels'],
            test['features'],
            test['labels'],
            num_classes,
            k=20,
            T=0.07,
            topk=(1, ))['top1']


def retrieval_rank1(ev: Evaluation, **_) -> float:
    test = ev.features('test')
    return retrieval_metrics(test['features'], test['labels'], (1, ))['rank1']


def retrieval_map(ev: Evaluation, **_) -> float:
    test = ev.features('test')
    return retrieval_metrics(test['features'], test['labels'], (1, ))['mAP']


def kmeans_nmi(ev: Evaluation, **_) -> float:
    test = ev.features('test')
    return 100.0 * kmeans_cluster_scores(
        test['features'], test['labels'], seed=0)['nmi']


def background_sensitivity_metric(ev: Evaluation, **_) -> float:
    pairs = pair_images(ev.cfg)
    fn = model_feature_fn(ev.model, 'auto')
    feats = [
        images_features(ev.model, fn, pairs[kind])
        for kind in ('anchor', 'background', 'object')
    ]
    return background_sensitivity(*feats)['background_sensitivity']


def part_energy(ev: Evaluation, map_kind: str = 'norm', **_) -> float:
    masks = ev.with_masks('test')['masks']
    union = torch.zeros_like(masks['object'])
    for name in PARTS:
        union |= masks[name]
    return attention_in_mask(ev.maps(map_kind), union)['energy']


def object_energy(ev: Evaluation, map_kind: str = 'norm', **_) -> float:
    masks = ev.with_masks('test')['masks']
    return attention_in_mask(ev.maps(map_kind), masks['object'])['energy']


def dense_miou(ev: Evaluation, **_) -> float:
    train, test = ev.with_masks('train'), ev.with_masks('test')
    res = dense_linear_probe(
        feature_maps(ev.model, train['inputs']),
        train['masks']['object'].long(),
        feature_maps(ev.model, test['inputs']),
        test['masks']['object'].long(),
        2,
        steps=200,
        lr=0.05)
    return res['miou']


METRICS: Dict[str, Callable] = dict(
    knn_top1=knn_top1,
    retrieval_rank1=retrieval_rank1,
    retrieval_map=retrieval_map,
    kmeans_nmi=kmeans_nmi,
    background_sensitivity=background_sensitivity_metric,
    part_energy=part_energy,
    object_energy=object_energy,
    dense_miou=dense_miou)
