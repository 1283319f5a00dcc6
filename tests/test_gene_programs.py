"""Runs every Gene program in tests/gene/ and compares what it prints with what it declares.

A program's header comments say what it needs and expects:

    # backend: none | mock | real     which genex/llm back-end it runs on (required)
    # exit: 1                         the exit status (default 0)
    # stderr: TEXT                    a line stderr must contain (default: stderr is empty)
    # Expected: LINE                  the next line of stdout, in order (gene-lang/gene's convention)

Programs check their own results (with if/assert) and print what was verified;
real-model programs print nothing that depends on the model's wording.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

import pytest

from genex_llm.gene.command import run_file

PROGRAMS = sorted((Path(__file__).parent / "gene").glob("*.gene"))
_DIRECTIVE = re.compile(r"#\s*(backend|exit|stderr|Expected):(?: (.*))?$")


@dataclass
class Spec:
    backend: str = ""
    exit: int = 0
    stderr: List[str] = field(default_factory=list)
    stdout: List[str] = field(default_factory=list)


def read_spec(path: Path) -> Spec:
    spec = Spec()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _DIRECTIVE.match(line.strip())
        if not match:
            continue
        key, value = match.group(1), match.group(2) or ""
        if key == "backend":
            spec.backend = value
        elif key == "exit":
            spec.exit = int(value)
        elif key == "stderr":
            spec.stderr.append(value)
        else:
            spec.stdout.append(value)
    assert spec.backend in {"none", "mock", "real"}, f"{path.name}: '# backend:' must be none, mock or real"
    return spec


def _param(path: Path) -> object:
    marks = [pytest.mark.real] if read_spec(path).backend == "real" else []
    return pytest.param(path, id=path.stem, marks=marks)


def test_the_program_folder_has_every_kind_of_program() -> None:
    backends = {read_spec(path).backend for path in PROGRAMS}
    assert backends == {"none", "mock", "real"}
    assert any(read_spec(path).exit != 0 for path in PROGRAMS)


@pytest.mark.parametrize("path", [_param(path) for path in PROGRAMS])
def test_gene_program(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = read_spec(path)
    if spec.backend == "mock":
        monkeypatch.setenv("GENEX_LLM_BACKEND", "mock")
    out, err = io.StringIO(), io.StringIO()
    status = run_file(str(path), out, err)
    assert out.getvalue().splitlines() == spec.stdout
    if spec.stderr:
        for expected in spec.stderr:
            assert expected in err.getvalue()
        assert len(err.getvalue().splitlines()) == 1, "an error is reported on one line"
    else:
        assert err.getvalue() == ""
    assert status == spec.exit
