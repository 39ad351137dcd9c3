"""mmssl_addons: five SSL papers as registered OpenMMLab components.

``import mmssl_addons`` (or ``custom_imports=dict(imports=['mmssl_addons'])``
in a config) registers every model, transform, dataset, hook and metric into
mmpretrain's registries, and changes nothing else. The numpy-2 fix of mmcv's
``adjust_hue`` is an explicit opt-in: ``mmssl_addons.compat_numpy2`` in
``custom_imports`` (see :mod:`mmssl_addons.utils.compat`).
"""
from . import datasets, engine, evaluation, models  # noqa: F401
from .version import __version__

__all__ = ['__version__', 'datasets', 'engine', 'evaluation', 'models']
