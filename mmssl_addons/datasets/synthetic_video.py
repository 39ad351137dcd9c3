"""Deprecated: moved to :mod:`mmssl_addons.synthetic.video`.

``python -m mmssl_addons.datasets.synthetic_video`` still works (it runs
``python -m mmssl_addons.synthetic.video``).
"""
import sys
import warnings

from mmssl_addons.synthetic.video import *  # noqa: F401,F403
from mmssl_addons.synthetic.video import main

warnings.warn(
    'mmssl_addons.datasets.synthetic_video is deprecated: use '
    'mmssl_addons.synthetic.video (python -m mmssl_addons.synthetic.video).',
    DeprecationWarning,
    stacklevel=1 if __name__ == '__main__' else 2)

if __name__ == '__main__':
    sys.exit(main())
