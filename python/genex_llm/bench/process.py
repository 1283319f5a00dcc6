"""Runs one measured child process and reports its wall time and peak resident memory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import IO, Any, Dict, List, Mapping, Optional, Sequence


class ChildError(RuntimeError):
    """A measured child process failed; the message carries the end of its stderr."""


@dataclass(frozen=True)
class ChildRun:
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mb: float
    """The child's own high-water mark of resident memory (``ru_maxrss``)."""


def _drain(stream: IO[str], into: List[str]) -> None:
    into.append(stream.read())


def run(command: Sequence[str], stdin_text: str = "", env: Optional[Mapping[str, str]] = None) -> ChildRun:
    """Run ``command`` to completion and return what it printed with its peak RSS.

    The child is reaped with ``wait4`` so its rusage is its own: RUSAGE_CHILDREN
    would give the maximum over every child so far, not this one's.
    """
    started = time.perf_counter()
    child = subprocess.Popen(
        list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=None if env is None else dict(env),
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    out: List[str] = []
    err: List[str] = []
    # Both pipes are drained concurrently so a chatty child cannot block on a full pipe.
    readers = [threading.Thread(target=_drain, args=(child.stdout, out)),
               threading.Thread(target=_drain, args=(child.stderr, err))]
    for reader in readers:
        reader.start()
    try:
        child.stdin.write(stdin_text)
        child.stdin.close()
    except BrokenPipeError:
        pass  # the child exited early; its status and stderr tell why
    for reader in readers:
        reader.join()
    _, status, usage = os.wait4(child.pid, 0)
    wall_s = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = "".join(out), "".join(err)
    if child.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        how = (f"was killed by {signal.Signals(-child.returncode).name}" if child.returncode < 0
               else f"exited with {child.returncode}")
        raise ChildError(f"{' '.join(command[:3])} ... {how}:\n{tail}")
    # ru_maxrss is in KiB on Linux.
    return ChildRun(stdout=stdout, stderr=stderr, wall_s=wall_s, peak_rss_mb=usage.ru_maxrss / 1024.0)


def run_json(command: Sequence[str], task: Mapping[str, Any],
             env: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """Run a worker that reads a JSON task on stdin and prints a JSON object on stdout."""
    done = run(command, json.dumps(task), env)
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise ChildError(f"{' '.join(command[:3])} ... printed no JSON result ({error}): "
                         f"{done.stdout[-500:]!r}") from error
    if not isinstance(result, dict):
        raise ChildError(f"{' '.join(command[:3])} ... printed {type(result).__name__}, not an object")
    result["peak_rss_mb"] = done.peak_rss_mb
    return result
