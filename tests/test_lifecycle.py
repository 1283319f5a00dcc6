"""Closing, context managers, ownership and collection, on both back-ends."""

from __future__ import annotations

import gc
import sys
import weakref
from typing import Callable, Iterator

import pytest

import genex_llm
from genex_llm import ModelBusyError, ModelClosedError, SessionClosedError

Loader = Callable[[], genex_llm.Model]


@pytest.fixture(params=["mock", pytest.param("native", marks=pytest.mark.real)])
def load(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, model_path: str) -> Iterator[Loader]:
    """A loader of fresh models on each back-end."""
    if request.param == "mock":
        monkeypatch.setenv("GENEX_LLM_BACKEND", "mock")
        yield lambda: genex_llm.load_model("mock.gguf", allow_missing=True, context=512)
    else:
        yield lambda: genex_llm.load_model(model_path, context=512, threads=1)


def test_closing_a_model_with_open_sessions_is_refused_and_counts_them(load: Loader) -> None:
    model = load()
    first, second = model.new_session(), model.new_session()
    with pytest.raises(ModelBusyError) as raised:
        model.close()
    assert "2 sessions" in raised.value.message
    assert "all sessions must be closed before the model can be released" in raised.value.message
    assert not model.closed
    first.close()
    with pytest.raises(ModelBusyError, match="1 session is"):
        model.close()
    second.close()
    model.close()
    assert model.closed


def test_a_closed_model_refuses_new_sessions(load: Loader) -> None:
    model = load()
    model.close()
    with pytest.raises(ModelClosedError) as raised:
        model.new_session()
    assert raised.value.message == "model has been closed"


def test_a_closed_session_refuses_inference_and_the_model_still_works(load: Loader) -> None:
    model = load()
    session = model.new_session(max_tokens=2)
    session.close()
    assert session.closed
    with pytest.raises(SessionClosedError) as raised:
        session.infer("hello")
    assert raised.value.message == "LLM session has been closed"
    with model.new_session(max_tokens=2) as other:
        assert other.infer("hello")["completion_tokens"] >= 1
    model.close()


def test_close_is_idempotent(load: Loader) -> None:
    model = load()
    session = model.new_session()
    session.close()
    session.close()
    model.close()
    model.close()
    assert session.closed and model.closed


def test_context_managers_close_in_order(load: Loader) -> None:
    with load() as model:
        with model.new_session(max_tokens=2) as session:
            assert session.infer("hi")["completion_tokens"] >= 1
        assert session.closed and not model.closed
    assert model.closed


def test_context_manager_closes_on_error(load: Loader) -> None:
    with pytest.raises(KeyError):
        with load() as model:
            raise KeyError("boom")
    assert model.closed


def test_a_session_outlives_its_dropped_model(load: Loader) -> None:
    model = load()
    session = model.new_session(max_tokens=3, temperature=0)
    expected = session.infer("The sky is")["text"]
    del model
    gc.collect()
    assert session.infer("The sky is")["text"] == expected
    session.close()


@pytest.mark.parametrize("drop_model_first", [True, False])
def test_dropping_handles_without_close_in_any_order_frees_them(load: Loader, drop_model_first: bool) -> None:
    model = load()
    session = model.new_session(max_tokens=2)
    session.infer("hi")
    watched: list[Callable[[], object]] = [weakref.ref(model), weakref.ref(session)]
    if drop_model_first:
        del model
        del session
    else:
        del session
        del model
    gc.collect()
    assert [ref() for ref in watched] == [None, None]


def test_a_session_holds_a_reference_to_its_model(load: Loader) -> None:
    model = load()
    before = sys.getrefcount(model)
    session = model.new_session()
    assert sys.getrefcount(model) == before + 1
    assert session.model is model
    session.close()
    del session
    assert sys.getrefcount(model) == before
    model.close()


@pytest.mark.real
def test_the_native_session_keeps_the_native_model_alive(model_path: str) -> None:
    """The binding itself (not only the facade) ties a session to its model."""
    model = genex_llm.load_model(model_path, context=512, threads=1)
    native_model = model._native
    before = sys.getrefcount(native_model)
    session = model.new_session()
    assert sys.getrefcount(native_model) == before + 1
    session.close()
    del session
    gc.collect()
    assert sys.getrefcount(native_model) == before
    model.close()
