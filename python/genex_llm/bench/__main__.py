"""``python -m genex_llm.bench``."""

import sys

from .command import main

sys.exit(main())
