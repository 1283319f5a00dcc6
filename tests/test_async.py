"""infer_async: concurrent completions from asyncio, a responsive loop, and task cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

import genex_llm
from genex_llm import FinishReason, OptionError

pytestmark = pytest.mark.real


def test_two_inferences_run_concurrently_while_the_loop_stays_responsive(real_model: genex_llm.Model) -> None:
    with real_model.new_session(threads=1, temperature=0, max_tokens=32) as first, \
            real_model.new_session(threads=1, temperature=0, max_tokens=32) as second:
        expected = [first.infer("Once upon a time")["text"], second.infer("The sky is")["text"]]

        async def main() -> tuple[list[str], list[float]]:
            ticks: list[float] = []
            done = asyncio.Event()

            async def ticker() -> None:
                while not done.is_set():
                    ticks.append(time.monotonic())
                    await asyncio.sleep(0.01)

            ticking = asyncio.create_task(ticker())
            results = await asyncio.gather(first.infer_async("Once upon a time"), second.infer_async("The sky is"))
            done.set()
            await ticking
            return [result["text"] for result in results], ticks

        texts, ticks = asyncio.run(main())
    assert texts == expected
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:])]
    assert len(ticks) > 5
    # A blocked loop would show one gap as long as the whole inference.
    assert max(gaps) < 0.5 * (ticks[-1] - ticks[0])


def test_cancelling_the_task_cancels_the_inference(real_model: genex_llm.Model) -> None:
    prompt = "1, 2, 3, 4, 5, 6,"
    with real_model.new_session(temperature=0, max_tokens=1500) as session:
        started = time.monotonic()
        session.infer(prompt, max_tokens=8)
        per_token = (time.monotonic() - started) / 8

        async def main() -> float:
            task = asyncio.create_task(session.infer_async(prompt))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic()

        cancelled_at = asyncio.run(main())
        # Calls on one session are serialised: had the inference been left to
        # run, this call would first wait for the rest of its 1500 tokens.
        result = session.infer(prompt, max_tokens=4)
        waited = time.monotonic() - cancelled_at
        assert waited < 100 * per_token, f"{waited:.2f} s, {per_token * 1000:.1f} ms a token"
        assert result["finish_reason"] is FinishReason.LENGTH


def test_bad_options_are_refused_before_any_thread_starts(real_model: genex_llm.Model) -> None:
    with real_model.new_session() as session:
        with pytest.raises(OptionError, match="top_p"):
            asyncio.run(session.infer_async("hi", top_p=5))
