"""mmssl_addons: five SSL papers as registered OpenMMLab components.

``import mmssl_addons`` (or ``custom_imports=dict(imports=['mmssl_addons'])``
in a config) registers every model, transform, dataset, hook and metric into
mmpretrain's registries.
"""
# isort: off
from .version import __version__
from .utils.compat import patch_mmcv_adjust_hue

patch_mmcv_adjust_hue()  # before any pipeline is built

from . import datasets, engine, evaluation, models  # noqa: E402,F401
# isort: on

__all__ = ['__version__', 'datasets', 'engine', 'evaluation', 'models']
