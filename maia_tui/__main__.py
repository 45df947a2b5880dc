"""`python -m maia_tui`: the same as the `maia-tui` command."""

import sys

from maia_tui.cli import main

sys.exit(main())
