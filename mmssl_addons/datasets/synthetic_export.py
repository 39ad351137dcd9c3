"""Deprecated: moved to :mod:`mmssl_addons.synthetic.export`.

``python -m mmssl_addons.datasets.synthetic_export`` still works (it runs
``python -m mmssl_addons.synthetic.export``).
"""
import sys
import warnings

from mmssl_addons.synthetic.export import *  # noqa: F401,F403
from mmssl_addons.synthetic.export import main

warnings.warn(
    'mmssl_addons.datasets.synthetic_export is deprecated: use '
    'mmssl_addons.synthetic.export (python -m mmssl_addons.synthetic.export).',
    DeprecationWarning,
    stacklevel=1 if __name__ == '__main__' else 2)

if __name__ == '__main__':
    sys.exit(main())
