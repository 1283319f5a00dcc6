"""What a REPL user sees: reprs, docstrings, and docs that name every public API."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import genex_llm

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.real
def test_model_repr_shows_file_architecture_size_quantisation_and_context(real_model: genex_llm.Model) -> None:
    shown = repr(real_model)
    for part in ("SmolLM2-135M-Instruct.Q4_1.gguf", "llama", "135M params", "Q4_1", "MiB", "context=2048", "open"):
        assert part in shown, (part, shown)


def test_session_repr_shows_settings_and_state(mock_model: genex_llm.Model) -> None:
    session = mock_model.new_session(temperature=0.25, max_tokens=7)
    assert "temperature=0.25" in repr(session) and "max_tokens=7" in repr(session)
    assert repr(session).endswith("open>")
    session.close()
    assert repr(session).endswith("closed>")


def test_result_repr_truncates_text_and_shows_reason_and_timings(mock_model: genex_llm.Model) -> None:
    with mock_model.new_session(max_tokens=50) as session:
        result = session.infer("a prompt long enough for the mock to talk for a while")
    shown = repr(result)
    assert shown.startswith("<Completion ") and f"finish_reason={result['finish_reason'].value}" in shown
    assert f"tokens={len(result['tokens'])}" in shown and "latency_ms=" in shown
    assert len(shown) < len(result["text"]) + 150
    assert json.loads(json.dumps(result))["text"] == result["text"]
    assert result == dict(result)


def public_members(cls: type) -> list[str]:
    return [name for name, _ in inspect.getmembers(cls) if not name.startswith("_")]


def test_every_public_function_class_method_and_property_has_a_docstring() -> None:
    for name in genex_llm.__all__:
        value = getattr(genex_llm, name)
        if callable(value) or inspect.ismodule(value):
            assert inspect.getdoc(value), name
    for cls in (genex_llm.Model, genex_llm.Session):
        for member in public_members(cls):
            assert inspect.getdoc(getattr(cls, member)), f"{cls.__name__}.{member}"


def test_the_api_reference_names_every_public_api() -> None:
    reference = (DOCS / "api.md").read_text()
    for name in genex_llm.__all__:
        assert name in reference, name
    for cls in (genex_llm.Model, genex_llm.Session):
        for member in public_members(cls):
            assert f"`{member}`" in reference or f".{member}(" in reference, f"{cls.__name__}.{member}"
