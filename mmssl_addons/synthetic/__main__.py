"""``python -m mmssl_addons.synthetic``: render the synthetic CUB set."""
import sys

from .cli import main

sys.exit(main())
