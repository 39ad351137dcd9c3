"""Datasets of mmssl_addons (registered into mmpretrain's DATASETS).

The synthetic test beds that render such datasets live in
:mod:`mmssl_addons.synthetic`.
"""
from .contrastive_crop_dataset import ContrastiveCropDataset
from .fine_grained import (FineGrainedAircraft, FineGrainedCars,
                           FineGrainedCUB, label_subset)
from .imagenet_class_subset import ImageNetClassSubset, read_class_list
from .sca_positive_dataset import SCAPositiveDataset, find_positive_dataset
from .subset import ClassBalancedSubset
from .transforms import CheckedLoadImageFromFile, ContrastiveCrop

__all__ = [
    'CheckedLoadImageFromFile', 'ClassBalancedSubset', 'ContrastiveCrop',
    'ContrastiveCropDataset', 'find_positive_dataset', 'FineGrainedAircraft',
    'FineGrainedCars', 'FineGrainedCUB', 'ImageNetClassSubset', 'label_subset',
    'read_class_list', 'SCAPositiveDataset'
]
