"""The ``genex-llm`` command line: a dispatcher over command modules.

Each module in :data:`COMMANDS` has ``register(subparsers)``, which adds its
subcommands and sets ``handler`` (``args -> exit status``) on each.
"""

from __future__ import annotations

import argparse
import sys
from types import ModuleType
from typing import NoReturn, Optional, Sequence, Tuple

from . import __version__
from .bench import command as bench_command
from .commands import complete, info, model
from .gene import command as gene_command

COMMANDS: Tuple[ModuleType, ...] = (complete, info, model, gene_command, bench_command)


class _Parser(argparse.ArgumentParser):
    """Reports usage errors on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command module's subcommands."""
    parser = _Parser(prog="genex-llm", description="Local LLM inference and the Gene language.")
    parser.add_argument("--version", action="version", version=f"genex-llm {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``genex-llm`` with ``argv`` (default: the process arguments); the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        sys.stderr.write("genex-llm: interrupted\n")
        return 130
    except Exception as error:  # anything a command did not report itself: one line, no traceback
        sys.stdout.flush()
        sys.stderr.write(f"genex-llm: error: {error}\n")
        return 1
