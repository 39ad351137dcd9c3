"""Deprecated: moved to :mod:`mmssl_addons.synthetic`.

``python -m mmssl_addons.datasets.synthetic`` still works (it runs
``python -m mmssl_addons.synthetic``).
"""
import sys
import warnings

from mmssl_addons.synthetic.attributes import *  # noqa: F401,F403
from mmssl_addons.synthetic.cli import *  # noqa: F401,F403
from mmssl_addons.synthetic.cli import main
from mmssl_addons.synthetic.drawing import *  # noqa: F401,F403
from mmssl_addons.synthetic.layout import *  # noqa: F401,F403

warnings.warn(
    'mmssl_addons.datasets.synthetic is deprecated: use '
    'mmssl_addons.synthetic (python -m mmssl_addons.synthetic).',
    DeprecationWarning,
    stacklevel=1 if __name__ == '__main__' else 2)

if __name__ == '__main__':
    sys.exit(main())
