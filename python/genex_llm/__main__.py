"""``python -m genex_llm``: the ``genex-llm`` command line."""

import sys

from .cli import main

sys.exit(main())
