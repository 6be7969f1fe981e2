"""Allow ``python -m newskit``."""

import sys

from newskit.cli import main

sys.exit(main())
