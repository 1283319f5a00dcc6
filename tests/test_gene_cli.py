"""The genex-llm command line: run and eval, one-line errors and exit statuses."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from genex_llm import __version__
from genex_llm.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "llm_completion.gene"
SCRIPT = Path(sys.executable).with_name("genex-llm")


def env_with(**values: str) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"GENEX_LLM_BACKEND", "GENEX_LLM_MODEL"}}
    env.update(values)
    return env


def test_eval_prints_each_value_in_gene_syntax(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "(+ 1 2)", '{^text "hi" ^reason :stop}', "nil", '(println "side effect")']) == 0
    out, err = capsys.readouterr()
    assert out == '3\n{^text "hi" ^reason :stop}\nside effect\n'
    assert err == ""


def test_eval_reports_an_error_and_goes_on_with_the_same_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "(var n 1)", "(n = (n + 1))", "(oops n)", "(n + 1", "n"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["1", "2", "2"]
    assert err.splitlines() == [
        "<eval 3>:1:2: uncaught GeneException: undefined variable oops",
        "<eval 4>:1:1: syntax error: '(' is never closed with ')'",
    ]


def test_eval_reads_stdin_for_a_dash(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("(var a 20)\n(a + 22)\n"))
    assert main(["eval", "-"]) == 0
    assert capsys.readouterr().out == "42\n"


def test_a_single_eval_is_named_eval_in_locations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", '(throw "no")']) == 1
    assert capsys.readouterr().err == "<eval>:1:1: uncaught GeneException: no\n"


def test_run_reports_an_uncaught_exception_with_its_class_and_location(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENEX_LLM_BACKEND", "mock")
    program = tmp_path / "load.gene"
    program.write_text('(println "start")\n\n  (genex/llm/load_model "absent.gguf")\n(println "end")\n')
    assert main(["run", str(program)]) == 1
    out, err = capsys.readouterr()
    assert out == "start\n"
    assert err == (f"{program}:3:3: uncaught genex/llm/ModelLoadError: cannot load model 'absent.gguf': "
                   "model file not found\n")


@pytest.mark.parametrize("argv, status, message", [
    (["run", "no/such/file.gene"], 1, "genex-llm run: cannot read no/such/file.gene: No such file or directory"),
    ([], 2, "genex-llm: error: the following arguments are required: COMMAND (see genex-llm --help)"),
    (["run"], 2, "genex-llm run: error: the following arguments are required: FILE.gene (see genex-llm run --help)"),
    (["frobnicate"], 2, "genex-llm: error: argument COMMAND: invalid choice: 'frobnicate'"),
])
def test_usage_and_file_errors_are_one_line(argv: List[str], status: int, message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == status
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_run_refuses_a_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "latin1.gene"
    program.write_bytes(b'(println "caf\xe9")')
    assert main(["run", str(program)]) == 1
    assert capsys.readouterr().err == f"genex-llm run: {program} is not UTF-8 text (invalid byte at offset 13)\n"


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"genex-llm {__version__}\n"
    assert main(["run", "--help"]) == 0
    assert "uncaught Gene exception" in capsys.readouterr().out


def test_an_unexpected_failure_is_one_line_without_a_traceback(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from genex_llm.gene import command

    def broken(*args: object) -> int:
        raise OSError("disk on fire")

    monkeypatch.setattr(command, "eval_codes", broken)
    assert main(["eval", "1"]) == 1
    assert capsys.readouterr().err == "genex-llm: error: disk on fire\n"


def test_the_console_script_and_python_m_run_programs() -> None:
    done = subprocess.run([str(SCRIPT), "eval", "(str :a 1)"], capture_output=True, text=True, env=env_with())
    assert (done.returncode, done.stdout, done.stderr) == (0, '"a1"\n', "")
    failing = ROOT / "tests" / "gene" / "uncaught_error.gene"
    done = subprocess.run([sys.executable, "-m", "genex_llm", "run", str(failing)],
                          capture_output=True, text=True, env=env_with())
    assert done.returncode == 1
    assert done.stdout == "before\ncleanup\n"
    assert done.stderr == f"{failing}:12:5: uncaught GeneException: the answer is not 42: 41\n"


def test_the_example_runs_on_the_mock_backend(tmp_path: Path) -> None:
    model = tmp_path / "stand-in.gguf"
    model.write_bytes(b"")
    done = subprocess.run([str(SCRIPT), "run", str(EXAMPLE)], capture_output=True, text=True,
                          env=env_with(GENEX_LLM_BACKEND="mock", GENEX_LLM_MODEL=str(model)))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["model", "answer", "finish", "latency", "caught"]
    assert lines[0] == f"model: {model}"
    assert lines[2].split()[1] in {"stop", "length"}
    assert lines[4] == "caught: cannot load model 'no/such/model.gguf': model file not found"
    assert done.stderr == ""


@pytest.mark.real
@pytest.mark.slow
def test_the_example_completes_with_the_default_model() -> None:
    done = subprocess.run([str(SCRIPT), "run", str(EXAMPLE)], capture_output=True, text=True, env=env_with(),
                          timeout=600)
    assert done.returncode == 0, done.stderr
    fields = dict(line.split(":", 1) for line in done.stdout.splitlines())
    assert fields["model"].strip().endswith(".gguf")
    assert fields["answer"].strip()
    finish, _, count, _ = fields["finish"].split()
    assert finish in {"stop", "length"} and 1 <= int(count) <= 64
    assert int(fields["latency"].split()[0]) >= 0
    assert fields["caught"].strip() == "cannot load model 'no/such/model.gguf': model file not found"
