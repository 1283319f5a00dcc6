"""The ``genex-llm run`` and ``genex-llm eval`` commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence, TextIO

from .errors import GeneSyntaxError, GeneThrow
from .evaluator import Interpreter
from .printer import to_gene
from .values import Value, exception_path

__all__ = ["eval_codes", "register", "run_file"]


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``run`` and ``eval`` to the ``genex-llm`` command line."""
    run = subparsers.add_parser(
        "run", help="run a Gene program",
        description="Run a Gene program. An uncaught Gene exception prints its message and source "
                    "location and exits with status 1.")
    run.add_argument("file", metavar="FILE.gene", help="the program to run")
    run.set_defaults(handler=lambda args: run_file(args.file, sys.stdout, sys.stderr))

    evaluate = subparsers.add_parser(
        "eval", help="evaluate Gene code and print its value",
        description="Evaluate each CODE in turn in one interpreter and print its value in Gene "
                    "syntax (nothing for nil). An error is reported and evaluation continues with "
                    "the next CODE; the exit status is 1 if any failed. '-' reads code from stdin.")
    evaluate.add_argument("codes", metavar="CODE", nargs="+", help="Gene source, or - for stdin")
    evaluate.set_defaults(handler=lambda args: eval_codes(args.codes, sys.stdout, sys.stderr, sys.stdin))


def run_file(path: str, out: TextIO, err: TextIO) -> int:
    """Run the program in ``path``; the exit status."""
    try:
        source = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        err.write(f"genex-llm run: cannot read {path}: {error.strerror or error}\n")
        return 1
    except UnicodeDecodeError as error:
        err.write(f"genex-llm run: {path} is not UTF-8 text (invalid byte at offset {error.start})\n")
        return 1
    interpreter = Interpreter(out)
    return _report(lambda: interpreter.run(source, path), out, err)


def eval_codes(codes: Sequence[str], out: TextIO, err: TextIO, stdin: TextIO) -> int:
    """Evaluate each code in one interpreter, printing each non-nil value; the exit status."""
    interpreter = Interpreter(out)
    status = 0
    for number, code in enumerate(codes, start=1):
        if code == "-":
            source, name = stdin.read(), "<stdin>"
        else:
            source, name = code, "<eval>" if len(codes) == 1 else f"<eval {number}>"
        status = max(status, _report(lambda: _print_value(interpreter.run(source, name), out), out, err))
    return status


def _print_value(value: Value, out: TextIO) -> None:
    if value is not None:
        out.write(to_gene(value) + "\n")


def _report(action: Callable[[], object], out: TextIO, err: TextIO) -> int:
    """Run ``action``; report a Gene syntax error or uncaught exception as one line on ``err``."""
    try:
        action()
    except GeneSyntaxError as error:
        out.flush()
        err.write(f"{error}\n")
        return 1
    except GeneThrow as thrown:
        out.flush()
        kind = exception_path(type(thrown.error))
        err.write(f"{thrown.location}: uncaught {kind}: {thrown.error.message}\n")
        return 1
    return 0
