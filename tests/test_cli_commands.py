"""``genex-llm complete``, ``info`` and ``model fetch``, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import genex_llm
from genex_llm import _options

pytestmark = pytest.mark.real


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "genex_llm", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_complete_json_matches_the_python_api(real_model: genex_llm.Model) -> None:
    done = cli("complete", "--max-tokens", "8", "--temperature", "0", "--threads", "2", "--json",
               "The capital of France is")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    with real_model.new_session(temperature=0, max_tokens=8) as session:
        expected = session.infer("The capital of France is")
    assert result["text"] == expected["text"] and result["tokens"] == expected["tokens"]
    assert result["finish_reason"] == expected["finish_reason"].value
    assert done.stderr == ""


def test_complete_reads_the_prompt_from_stdin_and_prints_plain_text() -> None:
    done = cli("complete", "--max-tokens", "4", "--temperature", "0", stdin="Once upon a time")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() and not done.stdout.startswith("{")


def test_complete_reports_a_bad_option_on_one_line_without_a_traceback() -> None:
    done = cli("complete", "--top-p", "2", "hi")
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "top_p" in done.stderr and "Traceback" not in done.stderr


def test_complete_reports_a_missing_model_on_one_line() -> None:
    done = cli("complete", "--model", "/nonexistent/model.gguf", "hi")
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "/nonexistent/model.gguf" in done.stderr


def test_complete_help_lists_every_option() -> None:
    done = cli("complete", "--help")
    assert done.returncode == 0
    for key in {**_options.LOAD_SPECS, **_options.SESSION_SPECS}:
        if key != "allow_missing":
            assert "--" + key.replace("_", "-") in done.stdout, key
    assert "--json" in done.stdout and "--model" in done.stdout


def test_info_describes_the_model(model_path: str) -> None:
    done = cli("info", "--json", model_path)
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert facts["architecture"] == "llama" and facts["quantisation"] == "Q4_1"
    assert facts["n_ctx_train"] == 8192 and facts["parameters"] > 100_000_000
    assert facts["metadata"]["general.architecture"] == "llama"
    text = cli("info", model_path).stdout
    assert "architecture" in text and "Q4_1" in text and "general.name =" in text


def test_model_fetch_prints_the_cached_path_and_no_progress_when_piped(model_path: str) -> None:
    done = cli("model", "fetch")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(genex_llm.models.cache_dir() / genex_llm.models.MODEL_FILENAME)
    assert done.stderr == ""
