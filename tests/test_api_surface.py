"""The public surface: names, exception hierarchy, handles that cannot be forged."""

from __future__ import annotations

import subprocess
import sys

import pytest

import genex_llm
from genex_llm import FinishReason, exceptions


def test_public_names_are_exported() -> None:
    for name in genex_llm.__all__:
        assert hasattr(genex_llm, name), name
    assert {"load_model", "Model", "Session", "FinishReason", "GeneException", "LlmError"} <= set(genex_llm.__all__)


def test_every_error_is_a_gene_exception_with_a_message() -> None:
    kinds = [exceptions.ModelLoadError, exceptions.OptionError, exceptions.UnsupportedOptionError,
             exceptions.ContextLimitError, exceptions.ModelClosedError, exceptions.SessionClosedError,
             exceptions.ModelBusyError, exceptions.InferenceError]
    for kind in kinds:
        assert issubclass(kind, genex_llm.LlmError) and issubclass(kind, genex_llm.GeneException)
        error = kind("what went wrong")
        assert error.message == "what went wrong" == str(error)
        assert getattr(genex_llm, kind.__name__) is kind
    assert issubclass(genex_llm.OptionError, ValueError)
    assert issubclass(genex_llm.LlmError, genex_llm.GeneException)


def test_finish_reason_has_exactly_four_string_values() -> None:
    assert [reason.value for reason in FinishReason] == ["stop", "length", "cancelled", "error"]
    assert FinishReason("stop") == "stop" and isinstance(FinishReason.STOP, str)


@pytest.mark.parametrize("handle, hint", [(genex_llm.Model, "load_model"), (genex_llm.Session, "new_session")])
def test_handles_cannot_be_constructed_directly(handle: type, hint: str) -> None:
    with pytest.raises(TypeError, match=hint):
        handle("model.gguf")


def test_handle_attributes_are_read_only(mock_model: genex_llm.Model) -> None:
    session = mock_model.new_session()
    for target, name in [(mock_model, "context"), (mock_model, "anything"), (session, "temperature"),
                         (session, "_native")]:
        with pytest.raises(AttributeError, match="read-only"):
            setattr(target, name, 1)
    with pytest.raises(AttributeError):
        del session.model
    session.close()


def test_no_public_attribute_exposes_a_native_object(mock_model: genex_llm.Model) -> None:
    from genex_llm import _mock, _native

    native_types = (_native.Model, _native.Session, _mock.Model, _mock.Session)
    session = mock_model.new_session()
    for handle in (mock_model, session):
        for name in (name for name in dir(handle) if not name.startswith("_")):
            value = getattr(handle, name)
            assert not isinstance(value, native_types), f"{name} exposes {type(value)}"
            assert type(value).__name__ != "PyCapsule", name
    session.close()


def test_a_missing_native_module_says_how_to_build_it_and_never_falls_back() -> None:
    script = (
        "import sys; sys.modules['genex_llm._native'] = None\n"
        "import genex_llm\n"
        "try:\n"
        "    genex_llm.load_model('x.gguf', allow_missing=True)\n"
        "except ImportError as error:\n"
        "    print('ImportError:', error)\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.startswith("ImportError:")
    assert "./dev setup" in output and "pip install" in output


def test_an_unknown_backend_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENEX_LLM_BACKEND", "gpu-magic")
    with pytest.raises(genex_llm.OptionError, match="gpu-magic"):
        genex_llm.load_model("x.gguf", allow_missing=True)


def test_mock_allows_a_missing_path_but_the_real_backend_does_not(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: object) -> None:
    missing = f"{tmp_path}/absent.gguf"
    monkeypatch.setenv("GENEX_LLM_BACKEND", "mock")
    with genex_llm.load_model(missing, allow_missing=True) as model:
        assert model.path == missing
    with pytest.raises(genex_llm.ModelLoadError, match="absent.gguf"):
        genex_llm.load_model(missing)
    monkeypatch.delenv("GENEX_LLM_BACKEND")
    with pytest.raises(genex_llm.ModelLoadError, match="absent.gguf"):
        genex_llm.load_model(missing, allow_missing=True)
