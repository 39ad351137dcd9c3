"""Dataset checks: missing root, label subsets, corrupt images."""
import os
import os.path as osp
from collections import Counter

import pytest

import mmssl_addons  # noqa: F401
from mmssl_addons.datasets.fine_grained import FineGrainedCUB, label_subset
from mmssl_addons.datasets.transforms import CheckedLoadImageFromFile


def test_missing_root_names_path_and_fix(tmp_path):
    root = str(tmp_path / 'CUB_200_2011')
    with pytest.raises(FileNotFoundError) as err:
        FineGrainedCUB(data_root=root, split='train')
    msg = str(err.value)
    assert root in msg and 'does not exist' in msg
    assert 'CUB_200_2011.tgz' in msg and 'synthetic' in msg
    os.makedirs(root)
    with pytest.raises(FileNotFoundError, match='missing images.txt'):
        FineGrainedCUB(data_root=root, split='train')


def test_reads_synthetic_classes_and_splits(tiny_cub):
    train = FineGrainedCUB(data_root=tiny_cub, split='train')
    test = FineGrainedCUB(data_root=tiny_cub, split='test')
    assert len(train) + len(test) == 16
    assert len(train.metainfo['classes']) == 4
    labels = {train.get_data_info(i)['gt_label'] for i in range(len(train))}
    assert labels == {0, 1, 2, 3}


def test_label_subset_is_per_class_and_deterministic():
    data = [dict(gt_label=c, i=i) for c in range(3) for i in range(10)]
    half = label_subset(data, 0.5, seed=0)
    assert Counter(d['gt_label'] for d in half) == {0: 5, 1: 5, 2: 5}
    assert half == label_subset(data, 0.5, seed=0)
    assert half != label_subset(data, 0.5, seed=1)
    tiny = label_subset(data, 0.01, seed=0)
    assert Counter(d['gt_label'] for d in tiny) == {0: 1, 1: 1, 2: 1}
    assert label_subset(data, 1.0, seed=0) is data
    with pytest.raises(ValueError, match='label_fraction'):
        label_subset(data, 0.0, seed=0)


def test_label_fraction_in_dataset(tiny_cub):
    full = FineGrainedCUB(data_root=tiny_cub, split='train')
    half = FineGrainedCUB(
        data_root=tiny_cub, split='train', label_fraction=0.5)
    assert len(half) == len(full) // 2


def test_corrupt_image_names_file(tmp_path):
    bad = tmp_path / 'broken.jpg'
    bad.write_bytes(b'this is not a jpeg')
    loader = CheckedLoadImageFromFile()
    with pytest.raises(ValueError) as err:
        loader(dict(img_path=str(bad)))
    assert str(bad) in str(err.value) and 'regenerate' in str(err.value)
    with pytest.raises(ValueError, match='missing'):
        loader(dict(img_path=osp.join(str(tmp_path), 'absent.jpg')))
