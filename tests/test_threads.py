"""Sessions on threads: parallel across sessions, serialised within one, races that must stay safe."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import genex_llm
from genex_llm import FinishReason, ModelBusyError, ModelClosedError, SessionClosedError

pytestmark = pytest.mark.real


def test_two_sessions_of_one_model_decode_at_the_same_time(real_model: genex_llm.Model) -> None:
    spans: dict[int, tuple[float, float]] = {}

    def run(index: int) -> None:
        with real_model.new_session(threads=1, temperature=0, max_tokens=48) as session:
            started = time.monotonic()
            session.infer("Once upon a time")
            spans[index] = (started, time.monotonic())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (a_start, a_end), (b_start, b_end) = spans[0], spans[1]
    overlap = min(a_end, b_end) - max(a_start, b_start)
    assert overlap > 0.5 * min(a_end - a_start, b_end - b_start)


def test_one_session_used_from_many_threads_serialises_calls(real_model: genex_llm.Model) -> None:
    with real_model.new_session(temperature=0, max_tokens=12) as session:
        expected = session.infer("The sky is")["text"]
        with ThreadPoolExecutor(max_workers=4) as pool:
            texts = list(pool.map(lambda _: session.infer("The sky is")["text"], range(8)))
    assert texts == [expected] * 8


def test_closing_a_session_while_another_thread_infers_cancels_and_waits(real_model: genex_llm.Model) -> None:
    for _ in range(5):
        session = real_model.new_session(temperature=0, max_tokens=2000)
        outcome: list[object] = []
        started = threading.Event()

        def run() -> None:
            started.set()
            try:
                outcome.append(session.infer("Once upon a time"))
            except SessionClosedError as error:  # close() won the race before infer began
                outcome.append(error)

        worker = threading.Thread(target=run)
        worker.start()
        started.wait()
        time.sleep(0.05)
        session.close()
        worker.join(timeout=60)
        assert not worker.is_alive()
        result = outcome[0]
        if isinstance(result, dict):
            assert result["finish_reason"] is FinishReason.CANCELLED
        with pytest.raises(SessionClosedError):
            session.infer("again")


def test_closing_a_model_races_safely_with_new_sessions(model_path: str) -> None:
    for _ in range(5):
        model = genex_llm.load_model(model_path, context=256, threads=1)
        closed = threading.Event()
        opened_after_close: list[genex_llm.Session] = []
        refused: list[ModelClosedError] = []
        unexpected: list[BaseException] = []

        def churn() -> None:
            for _ in range(15):
                try:
                    session = model.new_session(context=256)
                except ModelClosedError as error:
                    refused.append(error)
                    continue
                except BaseException as error:  # noqa: BLE001 - reported below
                    unexpected.append(error)
                    return
                # close() cannot have succeeded while this session is open.
                if closed.is_set():
                    opened_after_close.append(session)
                session.close()

        workers = [threading.Thread(target=churn) for _ in range(2)]
        for worker in workers:
            worker.start()
        while not closed.is_set() and any(worker.is_alive() for worker in workers):
            try:
                model.close()
                closed.set()
            except ModelBusyError:
                time.sleep(0.001)
        for worker in workers:
            worker.join(timeout=120)
        if not closed.is_set():
            model.close()  # every session is closed now, so this must succeed
        assert model.closed and not unexpected and not opened_after_close
        assert all(error.message == "model has been closed" for error in refused)
