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

    ``cancel`` is repeated until ``call`` returns: one issued before the call
    has reached native code would otherwise be lost.
    """
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[T] = loop.create_future()
    finished = threading.Event()

    def work() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = call()
        except BaseException as raised:  # noqa: BLE001 - handed to the awaiting task
            error = raised
        finally:
            finished.set()
        try:
            loop.call_soon_threadsafe(_settle, outcome, result, error)
        except RuntimeError:
            pass  # the event loop is closed: nobody is waiting any more

    def keep_cancelling() -> None:
        while True:
            cancel()
            if finished.wait(0.005):
                return

    threading.Thread(target=work, name="genex_llm-infer", daemon=True).start()
    try:
        return await outcome
    except asyncio.CancelledError:
        threading.Thread(target=keep_cancelling, name="genex_llm-cancel", daemon=True).start()
        raise
