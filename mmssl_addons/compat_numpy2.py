"""Opt-in numpy-2 fix of mmcv 2.1's ``adjust_hue``, importable from a config.

Importing this module installs it (and logs one line)::

    custom_imports = dict(
        imports=['mmssl_addons', 'mmssl_addons.compat_numpy2'],
        allow_failed_imports=False)

Needed by every pipeline with ``ColorJitter(hue > 0)`` under numpy >= 2;
see :mod:`mmssl_addons.utils.compat`.
"""
from .utils.compat import patch_mmcv_adjust_hue

patch_mmcv_adjust_hue()
