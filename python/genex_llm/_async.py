"""Running a blocking, cancellable native call from asyncio."""

from __future__ import annotations

import asyncio
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def _settle(future: "asyncio.Future[T]", result: T | None, error: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]


async def run_in_thread(call: Callable[[], T], cancel: Callable[[], None]) -> T:
    """Runs ``call`` in a thread of its own; if the awaiting task is cancelled, stops it with ``cancel``.

    ``cancel`` must reach this call alone, even before it has started (a
    per-call cancel token does), since the thread may not have begun yet.
    """
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[T] = loop.create_future()

    def work() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = call()
        except BaseException as raised:  # noqa: BLE001 - handed to the awaiting task
            error = raised
        try:
            loop.call_soon_threadsafe(_settle, outcome, result, error)
        except RuntimeError:
            pass  # the event loop is closed: nobody is waiting any more

    threading.Thread(target=work, name="genex_llm-infer", daemon=True).start()
    try:
        return await outcome
    except asyncio.CancelledError:
        cancel()
        raise
