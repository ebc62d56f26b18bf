"""`python -m lrnn` is the `lrnn` command."""

import sys

from .cli import main

sys.exit(main())
