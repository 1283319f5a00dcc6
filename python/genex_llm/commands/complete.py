"""``genex-llm complete``: one completion from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict

from .. import _options
from .._model import load_model
from ..models import default_model_path

# allow_missing only matters for the mock back-end; a command line wants a real file.
LOAD_FLAGS = {key: spec for key, spec in _options.LOAD_SPECS.items() if key != "allow_missing"}
SESSION_FLAGS = {key: spec for key, spec in _options.SESSION_SPECS.items() if key not in LOAD_FLAGS}


def _add_option_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per option, typed from the option's spec, so none can be forgotten."""
    for key, spec in {**LOAD_FLAGS, **SESSION_FLAGS}.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(spec, _options.BoolOption):
            parser.add_argument(flag, dest=key, action="store_const", const=True, default=None,
                                help=f"set the {key} option")
        else:
            kind = int if isinstance(spec, _options.IntOption) else float
            parser.add_argument(flag, dest=key, type=kind, metavar=kind.__name__.upper(),
                                help=f"the {key} option (see docs/api.md)")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "complete", help="complete a prompt with a local model",
        description="Complete PROMPT (or standard input) with a GGUF model and print the text.",
        epilog="example: genex-llm complete --max-tokens 32 --temperature 0 'The capital of France is'",
    )
    parser.add_argument("prompt", nargs="?", help="the prompt; read from standard input when absent or '-'")
    parser.add_argument("--model", metavar="PATH", help="GGUF file (default: the default model)")
    parser.add_argument("--json", action="store_true", help="print the whole completion as one JSON object")
    _add_option_flags(parser)
    parser.set_defaults(handler=run)


def _given(args: argparse.Namespace, keys: Dict[str, Any]) -> Dict[str, Any]:
    return {key: getattr(args, key) for key in keys if getattr(args, key) is not None}


def run(args: argparse.Namespace) -> int:
    prompt = sys.stdin.read() if args.prompt in (None, "-") else args.prompt
    path = args.model or default_model_path()
    session_options = _given(args, SESSION_FLAGS)
    if args.context is not None:
        session_options["context"] = args.context
    if args.threads is not None:
        session_options["threads"] = args.threads
    with load_model(path, _given(args, LOAD_FLAGS)) as model:
        with model.new_session(session_options) as session:
            result = session.infer(prompt)
    if args.json:
        print(json.dumps({**result, "finish_reason": result["finish_reason"].value}, ensure_ascii=False))
    else:
        print(result["text"])
    return 0
