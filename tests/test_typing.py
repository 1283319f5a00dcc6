"""The package's types hold: the stub matches the compiled module and mypy --strict passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(ROOT / "python"), str(ROOT / "tests")])}
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=600)


def test_the_stub_matches_the_compiled_module() -> None:
    done = run_tool("mypy.stubtest", "genex_llm._native", "--allowlist", "tests/stubtest_allowlist.txt")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_ships_its_type_information() -> None:
    package = ROOT / "python" / "genex_llm"
    assert (package / "py.typed").is_file() and (package / "_native.pyi").is_file()


@pytest.mark.slow
def test_mypy_strict_passes_on_the_package_examples_tests_and_tools() -> None:
    scripts = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tools").glob("*.py"))
    done = run_tool("mypy", "--strict", "--explicit-package-bases", "python/genex_llm", "examples", "tests", *scripts)
    assert done.returncode == 0, done.stdout + done.stderr
