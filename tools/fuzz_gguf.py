#!/usr/bin/env python3
"""Fuzz the model loading path with mutated and truncated copies of a real GGUF file.

Each case changes a few bytes of the file's header and tables (bit flips,
counts and lengths set to hostile values) or cuts the file short, then loads
it with ``genex_llm.load_model`` in a child process, so that a crash shows up
as a signal death instead of killing the fuzzer. A case passes when the
child either refuses the file with a ModelLoadError naming the path, or
loads it (a mutation can leave the file valid). Anything else (a signal, a
hang, another exception, a message without the path) is a failure, and the
mutated file is saved for reproduction.

    .venv/bin/python tools/fuzz_gguf.py --cases 5000 --seed 1

One child tries many cases in a row, reading paths on stdin and answering one
JSON line each; a worker keeps one copy of the model in RAM (/dev/shm when
present), patches it for a case and restores it afterwards, so a case costs
a few writes, not a 98 MB copy. tests/test_gguf_fuzz.py imports this file.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import queue
import random
import selectors
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

# The child: as small as possible, so that every failure it shows comes from
# load_model. It reports every exception and lets the parent judge it.
CHILD_SNIPPET = r"""
import json, os, sys
# Answers go to the real stdout; anything the library itself prints there
# is sent to stderr so it cannot be taken for an answer.
answers = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
import genex_llm
for line in sys.stdin:
    path = line[:-1]
    try:
        genex_llm.load_model(path, threads=1).close()
    except Exception as error:
        kind = type(error).__module__ + "." + type(error).__qualname__
        result = {"outcome": "raised", "type": kind, "message": str(error)}
    else:
        result = {"outcome": "loaded"}
    print(json.dumps(result), file=answers, flush=True)
"""

MODEL_LOAD_ERROR = "genex_llm.exceptions.ModelLoadError"
PASSING_OUTCOMES = frozenset({"refused", "loaded"})

# GGUF value types (ggml/include/gguf.h) and the sizes of the fixed-size ones.
GGUF_STRING = 8
GGUF_ARRAY = 9
VALUE_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
HEADER_SIZE = 24
DEFAULT_ALIGNMENT = 32
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Field:
    """One number in the header or tables: where it is, how wide, what it means."""

    offset: int
    size: int
    kind: str
    label: str


@dataclass(frozen=True)
class Layout:
    """Where the parts of a (valid) GGUF file are."""

    file_size: int
    n_tensors: int
    n_kv: int
    alignment: int
    tables_end: int
    data_start: int
    fields: Tuple[Field, ...]

    def of_kind(self, kind: str) -> List[Field]:
        return [f for f in self.fields if f.kind == kind]

    def field(self, label: str) -> Field:
        for candidate in self.fields:
            if candidate.label == label:
                return candidate
        raise KeyError(label)


def parse_layout(path: "os.PathLike[str] | str") -> Layout:
    """The layout of a valid GGUF file, read from its header and tables."""
    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return _parse(data)


def _parse(data: mmap.mmap) -> Layout:
    fields: List[Field] = []
    position = 0

    def number(fmt: str, kind: str, label: str) -> int:
        nonlocal position
        size = struct.calcsize(fmt)
        fields.append(Field(position, size, kind, label))
        (value,) = struct.unpack_from(fmt, data, position)
        position += size
        return int(value)

    def string(kind: str, label: str) -> bytes:
        nonlocal position
        length = number("<Q", kind, label)
        text = bytes(data[position:position + length])
        position += length
        return text

    if data[:4] != b"GGUF":
        raise ValueError("not a GGUF file")
    position = 4
    number("<I", "version", "version")
    n_tensors = number("<q", "tensor-count", "tensor count")
    n_kv = number("<q", "kv-count", "key/value count")
    alignment = DEFAULT_ALIGNMENT
    for i in range(n_kv):
        key = string("key-length", f"key {i} name length").decode("ascii")
        value_type = number("<I", "value-type", f"key {key} value type")
        if value_type == GGUF_ARRAY:
            element_type = number("<I", "array-type", f"key {key} element type")
            count = number("<Q", "array-length", f"key {key} array length")
            if element_type == GGUF_STRING:
                for j in range(count):
                    string("string-length", f"key {key} element {j} length")
            else:
                position += VALUE_SIZES[element_type] * count
        elif value_type == GGUF_STRING:
            string("string-length", f"key {key} value length")
        else:
            size = VALUE_SIZES[value_type]
            fields.append(Field(position, size, "scalar", f"key {key} value"))
            if key == "general.alignment":
                (alignment,) = struct.unpack_from("<I", data, position)
            position += size
    for i in range(n_tensors):
        name = string("name-length", f"tensor {i} name length").decode("utf-8", "replace")
        n_dims = number("<I", "n-dims", f"tensor {name} dimension count")
        for d in range(n_dims):
            number("<q", "dim", f"tensor {name} dimension {d}")
        number("<i", "ggml-type", f"tensor {name} type")
        number("<Q", "data-offset", f"tensor {name} data offset")
    tables_end = position
    data_start = -(-tables_end // alignment) * alignment if n_tensors else tables_end
    return Layout(len(data), n_tensors, n_kv, alignment, tables_end, data_start, tuple(fields))


@dataclass(frozen=True)
class Case:
    """A mutation of the original file: byte patches, then an optional cut."""

    index: int
    kind: str
    description: str
    patches: Tuple[Tuple[int, bytes], ...] = ()
    truncate: Optional[int] = None


def set_field(field: Field, value: int) -> Tuple[int, bytes]:
    """A patch writing ``value`` (wrapped to the field's width, so -1 is all ones) into ``field``."""
    bits = 8 * field.size
    return field.offset, (value % (1 << bits)).to_bytes(field.size, "little")


def hostile_values(field: Field, original: int, layout: Layout, rng: random.Random) -> List[int]:
    """Values that break assumptions about ``field``: edges, signs, sizes near the file's."""
    bits = 8 * field.size
    values = [0, 1, -1, 1 << (bits - 1), (1 << (bits - 1)) - 1, original + 1, original - 1,
              original * 2, original ^ (1 << rng.randrange(bits)), rng.getrandbits(bits)]
    if field.size == 8:
        remaining = layout.file_size - field.offset
        values += [layout.file_size, remaining, remaining - 8, remaining + 1, 1 << 32, 1 << 31, 1 << 62]
    if field.kind in ("value-type", "array-type"):
        values += [GGUF_STRING, GGUF_ARRAY, 12, 13, 100]
    if field.kind == "ggml-type":
        values += [4, 5, 31, 42, 43, 1000]
    if field.kind == "n-dims":
        values += [4, 5, 16]
    if field.kind == "dim":
        values += [3, 31, 1 << 40]
    return values


def _read_field(data: bytes, field: Field) -> int:
    return int.from_bytes(data[field.offset:field.offset + field.size], "little")


def generate_cases(layout: Layout, header: bytes, seed: int, count: int) -> Iterator[Case]:
    """``count`` random cases; the same seed gives the same cases.

    ``header`` is the original file up to the data section, for the
    original values of fields.
    """
    rng = random.Random(seed)
    kinds: Dict[str, List[Field]] = {}
    for field in layout.fields:
        kinds.setdefault(field.kind, []).append(field)
    kind_names = sorted(kinds)
    for index in range(count):
        strategy = rng.choices(["field", "bitflip", "truncate"], weights=[45, 30, 25])[0]
        if strategy == "field":
            # Kind first: the vocabulary's 100k string lengths must not drown the rest.
            field = rng.choice(kinds[rng.choice(kind_names)])
            value = rng.choice(hostile_values(field, _read_field(header, field), layout, rng))
            yield Case(index, f"field-{field.kind}", f"set {field.label} (byte {field.offset}) to {value}",
                       (set_field(field, value),))
        elif strategy == "bitflip":
            patches = []
            for _ in range(rng.randint(1, 4)):
                if rng.random() < 0.6:
                    field = rng.choice(kinds[rng.choice(kind_names)])
                    offset = field.offset + rng.randrange(field.size)
                else:
                    offset = rng.randrange(layout.tables_end)
                patches.append((offset, bytes([header[offset] ^ (1 << rng.randrange(8))])))
            where = ", ".join(str(offset) for offset, _ in patches)
            yield Case(index, "bitflip", f"flip bits at bytes {where}", tuple(patches))
        else:
            zone = rng.choice(["header", "tables", "data-start", "data", "last-bytes"])
            cut = {
                "header": lambda: rng.randrange(HEADER_SIZE),
                "tables": lambda: rng.randrange(HEADER_SIZE, layout.tables_end),
                "data-start": lambda: layout.data_start + rng.randint(-64, 64),
                "data": lambda: rng.randrange(layout.data_start, layout.file_size),
                "last-bytes": lambda: layout.file_size - rng.randint(1, 64),
            }[zone]()
            yield Case(index, f"truncate-{zone}", f"cut the file to {cut} bytes", truncate=cut)


@dataclass(frozen=True)
class Result:
    case: Case
    outcome: str  # refused, loaded, crash, hang, wrong-error, unnamed-path
    detail: str = ""


def _copy_range(source: int, target: int, offset: int, end: int) -> None:
    while offset < end:
        chunk = os.pread(source, min(8 << 20, end - offset), offset)
        if not chunk:
            raise OSError(f"unexpected end of the original file at byte {offset}")
        os.pwrite(target, chunk, offset)
        offset += len(chunk)


def scratch_dir() -> Path:
    """A fresh folder for working copies, in RAM when /dev/shm exists."""
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="genex-fuzz-", dir=base))


class Worker:
    """One child process and one working copy of the model, patched per case and restored after."""

    def __init__(self, original: Path, scratch: Path, name: str, timeout: float) -> None:
        self.original = original
        self.work = scratch / f"{name}.gguf"
        self.stderr_path = scratch / f"{name}.stderr"
        self.timeout = timeout
        self.size = original.stat().st_size
        shutil.copyfile(original, self.work)
        self._source = os.open(original, os.O_RDONLY)
        self._target = os.open(self.work, os.O_RDWR)
        self._child: Optional[subprocess.Popen[str]] = None

    def close(self) -> None:
        self._stop_child()
        os.close(self._source)
        os.close(self._target)
        self.work.unlink()
        self.stderr_path.unlink(missing_ok=True)

    def run(self, case: Case) -> Result:
        for offset, patch in case.patches:
            os.pwrite(self._target, patch, offset)
        if case.truncate is not None:
            os.ftruncate(self._target, case.truncate)
        try:
            return self._ask(case)
        finally:
            if case.truncate is not None:
                _copy_range(self._source, self._target, case.truncate, self.size)
            for offset, patch in case.patches:
                os.pwrite(self._target, os.pread(self._source, len(patch), offset), offset)

    def save(self, case: Case, into: Path) -> Path:
        """Writes the case's file into ``into`` for reproduction."""
        into.mkdir(parents=True, exist_ok=True)
        target = into / f"case-{case.index}.gguf"
        shutil.copyfile(self.original, target)
        with open(target, "r+b") as file:
            for offset, patch in case.patches:
                file.seek(offset)
                file.write(patch)
            if case.truncate is not None:
                file.truncate(case.truncate)
        target.with_suffix(".txt").write_text(f"{case.kind}: {case.description}\n")
        return target

    def _start_child(self) -> subprocess.Popen[str]:
        with open(self.stderr_path, "w") as stderr:
            return subprocess.Popen([sys.executable, "-c", CHILD_SNIPPET], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1)

    def _stop_child(self) -> None:
        if self._child is None:
            return
        child, self._child = self._child, None
        if child.poll() is None:
            assert child.stdin is not None
            child.stdin.close()
            try:
                child.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()

    def _stderr_tail(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def _ask(self, case: Case) -> Result:
        if self._child is None:
            self._child = self._start_child()
        child = self._child
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(f"{self.work}\n")
            child.stdin.flush()
        except BrokenPipeError:
            pass
        with selectors.DefaultSelector() as selector:
            selector.register(child.stdout, selectors.EVENT_READ)
            ready = selector.select(self.timeout)
        if not ready:
            child.kill()
            child.wait()
            self._stop_child()
            return Result(case, "hang", f"no answer within {self.timeout:g} s")
        line = child.stdout.readline()
        if not line:
            code = child.wait()
            self._stop_child()
            return Result(case, "crash", f"child exited with status {code}\n{self._stderr_tail()}")
        answer = json.loads(line)
        if answer["outcome"] == "loaded":
            return Result(case, "loaded")
        message = answer["message"]
        if answer["type"] != MODEL_LOAD_ERROR:
            return Result(case, "wrong-error", f"{answer['type']}: {message}")
        if str(self.work) not in message:
            return Result(case, "unnamed-path", message)
        return Result(case, "refused", message)


def run_cases(cases: Sequence[Case], original: Path, jobs: int, timeout: float,
              crash_dir: Optional[Path] = None, progress: bool = False) -> List[Result]:
    """Runs ``cases`` on ``jobs`` workers; every crash or hang is retried alone in a fresh child.

    A failure that does not repeat alone is kept with "(only after earlier
    cases)" in its detail. Failing files are saved into ``crash_dir``.
    """
    scratch = scratch_dir()
    pending: "queue.Queue[Case]" = queue.Queue()
    for case in cases:
        pending.put(case)
    results: List[Result] = []
    lock = threading.Lock()
    errors: List[BaseException] = []

    def work(name: str) -> None:
        worker = Worker(original, scratch, name, timeout)
        try:
            while True:
                try:
                    case = pending.get_nowait()
                except queue.Empty:
                    return
                result = worker.run(case)
                if result.outcome in ("crash", "hang"):
                    alone = worker.run(case)
                    if alone.outcome in ("crash", "hang"):
                        result = alone
                    else:
                        result = Result(case, result.outcome, result.detail + " (only after earlier cases)")
                if result.outcome not in PASSING_OUTCOMES and crash_dir is not None:
                    saved = worker.save(case, crash_dir)
                    result = Result(case, result.outcome, f"{result.detail}\nsaved as {saved}")
                with lock:
                    results.append(result)
                    if progress and len(results) % 250 == 0:
                        print(f"  {len(results)} of {len(cases)} cases", file=sys.stderr, flush=True)
        except BaseException as error:  # surfaced to the caller below
            errors.append(error)
        finally:
            worker.close()

    threads = [threading.Thread(target=work, args=(f"worker{i}",)) for i in range(max(1, jobs))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if errors:
        raise errors[0]
    return sorted(results, key=lambda result: result.case.index)


def read_header(path: Path, layout: Layout) -> bytes:
    with open(path, "rb") as file:
        return file.read(layout.data_start)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="how many mutated files to try (1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same cases (0)")
    parser.add_argument("--model", type=Path, help="the GGUF file to mutate (default: the default model)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="parallel children")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one load may take (120)")
    parser.add_argument("--crash-dir", type=Path, default=ROOT / "build" / "fuzz-crashes",
                        help="where failing files are saved (build/fuzz-crashes)")
    args = parser.parse_args(argv)
    if args.model is None:
        import genex_llm

        args.model = Path(genex_llm.default_model_path())
    layout = parse_layout(args.model)
    cases = list(generate_cases(layout, read_header(args.model, layout), args.seed, args.cases))
    print(f"fuzzing {args.model} ({layout.file_size} bytes, tables end at byte {layout.tables_end}, "
          f"data starts at byte {layout.data_start}) with {len(cases)} cases, seed {args.seed}", flush=True)
    started = time.monotonic()
    results = run_cases(cases, args.model, args.jobs, args.timeout, args.crash_dir / f"seed-{args.seed}",
                        progress=True)
    elapsed = time.monotonic() - started
    outcomes = Counter(result.outcome for result in results)
    by_kind: Dict[str, Counter[str]] = {}
    for result in results:
        by_kind.setdefault(result.case.kind, Counter())[result.outcome] += 1
    print(f"tried {len(results)} cases in {elapsed:.0f} s: {outcomes['refused']} refused, {outcomes['loaded']} loaded, "
          f"{outcomes['crash']} crashed, {outcomes['hang']} hung, {outcomes['wrong-error']} wrong errors, "
          f"{outcomes['unnamed-path']} messages without the path")
    for kind in sorted(by_kind):
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(by_kind[kind].items()))
        print(f"  {kind}: {counts}")
    failures = [result for result in results if result.outcome not in PASSING_OUTCOMES]
    for result in failures:
        print(f"FAIL case {result.case.index} ({result.case.kind}: {result.case.description}): "
              f"{result.outcome}\n{result.detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
