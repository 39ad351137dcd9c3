"""mmssl_addons: five SSL papers as registered OpenMMLab components.

``import mmssl_addons`` registers every model, transform, dataset, hook and
metric into mmpretrain's registries.
"""
from .version import __version__

__all__ = ['__version__']
