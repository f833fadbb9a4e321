"""``python -m dynnets ...`` is the ``dynnets`` command."""

import sys

from .cli import main

sys.exit(main())
