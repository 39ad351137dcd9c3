"""SCAPositiveDataset: fallback, cluster positives, determinism, workers."""
import warnings

import pytest
import torch
from mmengine.dataset import default_collate
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader

import mmssl_addons  # noqa: F401
from mmssl_addons.datasets import SCAPositiveDataset

VIEW = [dict(type='RandomResizedCrop', scale=16, backend='pillow')]
PIPELINE = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[VIEW]),
    dict(type='PackInputs')
]
POSITIVE = [
    dict(type='CheckedLoadImageFromFile'), *VIEW,
    dict(type='PackInputs')
]


def make(root, p=2, seed=0):
    init_default_scope('mmpretrain')
    return SCAPositiveDataset(
        dict(type='FineGrainedCUB', data_root=root, split='train'),
        pipeline=PIPELINE,
        positive_pipeline=POSITIVE,
        num_positives=p,
        seed=seed)


def test_fallback_before_clustering_is_the_image_itself(tiny_cub):
    ds = make(tiny_cub)
    assert len(ds) == 8 and ds.cluster_epoch == -1
    with pytest.warns(UserWarning, match='no clustering yet'):
        sample = ds[3]
    assert len(sample['inputs']) == 2 + 2
    assert all(x.shape == (3, 16, 16) for x in sample['inputs'])
    meta = sample['data_samples']
    assert meta.sca_pseudo_label == -1 and meta.sca_positive_idx == [3, 3]


def test_positives_come_from_the_cluster_deterministically(tiny_cub):
    labels = torch.tensor([0, 0, 0, 1, 1, 2, 2, 3])
    a, b, other = make(
        tiny_cub, p=3), make(
            tiny_cub, p=3), make(
                tiny_cub, p=3, seed=5)
    for ds in (a, b, other):
        ds.set_pseudo_labels(labels, epoch=4)
    for i in range(8):
        pos = a.positive_indices(i)
        assert len(pos) == 3
        if i == 7:  # alone in its cluster: itself
            assert pos == [7, 7, 7]
        else:
            assert all(labels[j] == labels[i] and j != i for j in pos)
        assert pos == b.positive_indices(i)
    # three members: the other two, without replacement when possible
    assert sorted(set(a.positive_indices(0))) == [1, 2]
    assert any(
        a.positive_indices(i) != other.positive_indices(i) for i in range(3))
    # alone in its cluster: keeps its pseudo-label (L_cls trains on it)
    assert a[7]['data_samples'].sca_pseudo_label == 3
    assert a[7]['data_samples'].sca_positive_idx == [7, 7, 7]
    sample = a[5]
    assert sample['data_samples'].sca_pseudo_label == 2
    assert sample['data_samples'].sca_positive_idx == [6, 6, 6]
    batch = default_collate([a[0], a[1]])
    assert len(batch['inputs']) == 5 and batch['inputs'][0].shape[0] == 2


def test_workers_see_each_new_clustering(tiny_cub):
    ds = make(tiny_cub, p=1)
    loader = DataLoader(
        ds,
        batch_size=8,
        num_workers=1,
        persistent_workers=True,
        collate_fn=default_collate)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        first = next(iter(loader))
    assert [s.sca_pseudo_label for s in first['data_samples']] == [-1] * 8
    ds.set_pseudo_labels(torch.arange(8) % 2, epoch=0)
    second = next(iter(loader))  # same persistent worker
    assert [s.sca_pseudo_label for s in second['data_samples']] == [0, 1] * 4
    assert all(i % 2 == j % 2 and i != j
               for i, s in enumerate(second['data_samples'])
               for j in s.sca_positive_idx)


def test_errors(tiny_cub):
    ds = make(tiny_cub)
    with pytest.raises(ValueError, match='same dataset'):
        ds.set_pseudo_labels(torch.zeros(5), epoch=0)
    with pytest.raises(ValueError, match='num_positives'):
        make(tiny_cub, p=0)
    with pytest.raises(ValueError, match='positive_pipeline is empty'):
        SCAPositiveDataset(
            dict(type='FineGrainedCUB', data_root=tiny_cub), pipeline=PIPELINE)
    bad = SCAPositiveDataset(
        dict(type='FineGrainedCUB', data_root=tiny_cub),
        pipeline=PIPELINE,
        positive_pipeline=PIPELINE)
    with pytest.raises(ValueError, match='single crop'):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            bad[0]
