"""Datasets of mmssl_addons (registered into mmpretrain's DATASETS).

The synthetic test beds that render such datasets live in
:mod:`mmssl_addons.synthetic`; the names this package used to re-export
from there still resolve, with a DeprecationWarning.
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

_MOVED = ('SyntheticInfo', 'generate_synthetic_cub',
          'generate_synthetic_davis', 'render_sample')


def __getattr__(name):
    if name in _MOVED:
        import warnings
        warnings.warn(
            f'mmssl_addons.datasets.{name} is deprecated: import it from '
            'mmssl_addons.synthetic.',
            DeprecationWarning,
            stacklevel=2)
        from .. import synthetic
        return getattr(synthetic, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
