"""``python -m generator`` is the ``kb`` command."""

import sys

from .cli import main

sys.exit(main())
