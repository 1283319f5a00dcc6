"""``genex-llm info``: what a GGUF model file holds."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, Dict

from .._model import load_model


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "info", help="describe a GGUF model file",
        description="Print a GGUF model's architecture, parameters, context, quantisation, size and metadata.",
        epilog="example: genex-llm info ~/.cache/genex-llm/SmolLM2-135M-Instruct.Q4_1.gguf",
    )
    parser.add_argument("model", metavar="MODEL", help="path of the GGUF file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def describe(path: str) -> Dict[str, Any]:
    """The facts ``info`` prints, read through a CPU-only, memory-mapped load."""
    with load_model(path, threads=1, gpu_layers=0) as model:
        native = model._native
        metadata = dict(model.metadata)
        return {
            "path": path,
            "file_bytes": os.path.getsize(path),
            "architecture": metadata.get("general.architecture", "unknown"),
            "name": metadata.get("general.name", ""),
            "parameters": int(native.n_params),
            "quantisation": str(native.description).rsplit(" ", 1)[-1],
            "n_ctx_train": model.n_ctx_train,
            "n_vocab": model.n_vocab,
            "weights_bytes": int(native.size_bytes),
            "metadata": metadata,
        }


def run(args: argparse.Namespace) -> int:
    facts = describe(args.model)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False))
        return 0
    rows = [
        ("file", facts["path"]),
        ("size", f"{facts['file_bytes'] / 2**20:.1f} MiB"),
        ("architecture", facts["architecture"]),
        ("name", facts["name"]),
        ("parameters", f"{facts['parameters'] / 1e6:.1f} M"),
        ("quantisation", facts["quantisation"]),
        ("context (trained)", str(facts["n_ctx_train"])),
        ("vocabulary", str(facts["n_vocab"])),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print("metadata:")
    for key in sorted(facts["metadata"]):
        print(f"  {key} = {facts['metadata'][key]}")
    return 0
