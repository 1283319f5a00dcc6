"""Hostile GGUF files: mutated and truncated copies of the default model.

Every file is loaded in a child process (tools/fuzz_gguf.py runs them), so a
crash is seen as a signal death instead of killing the test run. Each file
must be refused with a ModelLoadError naming its path, or load (a mutation
may leave it valid); the targeted cases also pin the checker's message.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Tuple

import pytest

import genex_llm

pytestmark = pytest.mark.real

ROOT = Path(__file__).resolve().parent.parent
RANDOM_CASES = 40
RANDOM_SEED = 20240601
# Generous: a refusal of the whole tables takes about a millisecond; the
# bound only has to catch a checker that reads the tensor data (98 MB).
CHECK_SECONDS = 0.5


def _import_fuzzer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_gguf", ROOT / "tools" / "fuzz_gguf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fuzz = _import_fuzzer()
U64_MAX = 2**64 - 1


@pytest.fixture(scope="module")
def original(model_path: str) -> Path:
    return Path(model_path)


@pytest.fixture(scope="module")
def layout(original: Path) -> Any:
    return fuzz.parse_layout(original)


@pytest.fixture(scope="module")
def header(original: Path, layout: Any) -> bytes:
    prefix: bytes = fuzz.read_header(original, layout)
    return prefix


def _value(header: bytes, field: Any) -> int:
    return int.from_bytes(header[field.offset:field.offset + field.size], "little", signed=True)


def _targeted(layout: Any, header: bytes) -> List[Tuple[Any, str]]:
    """Cases aimed at one rule each, with a fragment the refusal must contain."""
    size = layout.file_size
    tensor_names = [f.label[len("tensor "):-len(" dimension count")] for f in layout.of_kind("n-dims")]
    first, second, last = tensor_names[0], tensor_names[1], tensor_names[-1]
    key0 = layout.of_kind("key-length")[0]
    key0_type = layout.of_kind("value-type")[0]
    key0_name = header[key0.offset + 8:key0_type.offset].decode()
    arrays = {f.label.split(" ")[1]: f for f in layout.of_kind("array-length")}
    element_types = {f.label.split(" ")[1]: f for f in layout.of_kind("array-type")}
    tokens_length = arrays["tokenizer.ggml.tokens"]
    token_types_length = arrays["tokenizer.ggml.token_type"]
    first_token = layout.field("key tokenizer.ggml.tokens element 0 length")
    first_dims = [layout.field(f"tensor {first} dimension {d}") for d in range(2)]
    first_type = layout.field(f"tensor {first} type")
    second_offset = layout.field(f"tensor {second} data offset")
    last_offset = layout.field(f"tensor {last} data offset")
    last_end = layout.data_start + _value(header, last_offset)

    def rename(old: str, new: str, value: int = -1) -> Tuple[Tuple[int, bytes], ...]:
        """Patches renaming key ``old`` to the same-length ``new``, optionally with a new u32 value."""
        needle = len(old).to_bytes(8, "little") + old.encode()
        at = header.index(needle) + 8
        patches = [(at, new.encode())]
        if value >= 0:
            patches.append(fuzz.set_field(layout.field(f"key {old} value"), value))
        return tuple(patches)

    def duplicate_token() -> Tuple[Tuple[int, bytes], ...]:
        """A patch making the first token that has the length of an earlier one a copy of it."""
        seen: Dict[int, Tuple[int, int]] = {}
        for j in range(1000):
            length_field = layout.field(f"key tokenizer.ggml.tokens element {j} length")
            length = _value(header, length_field)
            start = length_field.offset + 8
            if length in seen:
                i, earlier = seen[length]
                return ((start, header[earlier:earlier + length]),)
            seen[length] = (j, start)
        raise AssertionError("no two of the first 1000 tokens have the same length")

    def case(description: str, patches: Any = (), truncate: Any = None) -> Any:
        return fuzz.Case(0, "targeted", description, tuple(patches), truncate)

    def field(label: str, value: int) -> Tuple[Tuple[int, bytes], ...]:
        return (fuzz.set_field(layout.field(label), value),)

    table = [
        (case("magic", [(0, b"GGUX")]), "not a GGUF file (it does not start with the GGUF magic)"),
        (case("version 1", field("version", 1)), "unsupported GGUF version 1 (only versions 2 and 3"),
        (case("version 4", field("version", 4)), "unsupported GGUF version 4"),
        (case("byte-swapped version", field("version", 3 << 24)), "(a big-endian file?)"),
        (case("tensor count -1", field("tensor count", -1)), "the tensor count is negative (-1)"),
        (case("key/value count -2**63", field("key/value count", -(2**63))),
         f"the key/value count is negative ({-(2**63)})"),
        (case("key/value count 2**62", field("key/value count", 2**62)),
         f"the header announces {layout.n_tensors} tensors and {2**62} key/value pairs, more than the "
         f"{size - 24} bytes after the header can hold"),
        (case("tensor count = file size", field("tensor count", size)), f"the header announces {size} tensors"),
        (case("empty key name", [fuzz.set_field(key0, 0)]), "key 0 has an empty name"),
        (case("huge key name", [fuzz.set_field(key0, U64_MAX)]),
         f"key 0 name at byte {key0.offset + 8} is {U64_MAX} bytes long, past the end of the file ({size} bytes)"),
        (case("key name over the GGUF limit", [fuzz.set_field(key0, 65536)]),
         "key 0 name is 65536 bytes long; the limit is 65535"),
        (case("non-ASCII key name", [(key0.offset + 8, b"\xff")]),
         "key 0 '\\xff" + key0_name[1:] + "' name has byte 255 at position 0; key names must be printable ASCII"),
        (case("value type 13", [fuzz.set_field(key0_type, 13)]), f"key 0 '{key0_name}' has invalid value type 13"),
        (case("value type -1", [fuzz.set_field(key0_type, -1)]), f"key 0 '{key0_name}' has invalid value type -1"),
        (case("array of arrays", [fuzz.set_field(element_types["tokenizer.ggml.tokens"], 9)]),
         "'tokenizer.ggml.tokens' is an array of arrays, which llama.cpp cannot read"),
        (case("array element type 200", [fuzz.set_field(element_types["tokenizer.ggml.merges"], 200)]),
         "'tokenizer.ggml.merges' array has invalid value type 200"),
        (case("string array length 2**63", [fuzz.set_field(tokens_length, 2**63)]),
         f"'tokenizer.ggml.tokens' array of {2**63} str values at byte {tokens_length.offset + 8} runs past the end"),
        (case("i32 array length = file size", [fuzz.set_field(token_types_length, size)]),
         f"'tokenizer.ggml.token_type' array of {size} i32 values"),
        (case("array string length -1", [fuzz.set_field(first_token, -1)]),
         f"'tokenizer.ggml.tokens' element 0 at byte {first_token.offset + 8} is {U64_MAX} bytes long"),
        (case("scalar string length past the end", field("key tokenizer.ggml.model value length", size)),
         "'tokenizer.ggml.model' value at byte"),
        (case("alignment 30", rename("llama.block_count", "general.alignment")),
         "'general.alignment' is 30, which is not a power of two"),
        (case("alignment 0", rename("llama.block_count", "general.alignment", 0)),
         "'general.alignment' is 0, which is not a power of two"),
        (case("alignment 2**20", rename("llama.block_count", "general.alignment", 2**20)),
         f"tensor 1 '{second}' data offset {_value(header, second_offset)} is not a multiple of the alignment "
         f"{2**20}"),
        (case("alignment of the wrong type", rename("general.languages", "general.alignment")),
         "'general.alignment' must be of type u32, not arr"),
        (case("no layers", field("key llama.block_count value", 0)),
         "'llama.block_count' is 0; llama.cpp supports 1 to 512 layers"),
        (case("513 layers", field("key llama.block_count value", 513)),
         "'llama.block_count' is 513; llama.cpp supports 1 to 512 layers"),
        (case("more prediction layers than layers",
              rename("llama.attention.head_count", "llama.nextn_predict_layers", 31)),
         "'llama.nextn_predict_layers' is 31; it must be between 0 and the block count 30"),
        (case("a repeated token", duplicate_token()),
         "repeats element"),
        (case("tensor name of 64 bytes", field("tensor 0 name length", 64)),
         "tensor 0 name is 64 bytes long; the limit is 63"),
        (case("5 dimensions", field(f"tensor {first} dimension count", 5)),
         f"tensor 0 '{first}' has 5 dimensions; the limit is 4"),
        (case("dimension 0", [fuzz.set_field(first_dims[0], 0)]),
         f"tensor 0 '{first}' dimension 0 is 0; it must be positive"),
        (case("negative dimension", [fuzz.set_field(first_dims[1], -5)]),
         f"tensor 0 '{first}' dimension 1 is -5; it must be positive"),
        (case("element count overflow", [fuzz.set_field(first_dims[1], 2**62)]),
         f"tensor 0 '{first}' has more elements than a 64-bit count holds"),
        (case("ggml type 43", [fuzz.set_field(first_type, 43)]), f"tensor 0 '{first}' has invalid ggml type 43"),
        (case("ggml type -1", [fuzz.set_field(first_type, -1)]), f"tensor 0 '{first}' has invalid ggml type -1"),
        (case("removed ggml type", [fuzz.set_field(first_type, 4)]), "has ggml type 4, which is no longer supported"),
        (case("row not a whole number of blocks", [fuzz.set_field(first_type, 2), fuzz.set_field(first_dims[0], 33)]),
         f"tensor 0 '{first}' of type q4_0 has 33 elements per row, not a multiple of its block size 32"),
        (case("misaligned data offset", [fuzz.set_field(second_offset, _value(header, second_offset) + 1)]),
         f"tensor 1 '{second}' data offset {_value(header, second_offset) + 1} is not a multiple of the alignment 32"),
        (case("data offset past the end", [fuzz.set_field(last_offset, 2**40)]),
         f"'{last}' data (2304 bytes at data offset {2**40}) ends at byte {layout.data_start + 2**40 + 2304}, "
         f"past the end of the file ({size} bytes)"),
        (case("data offset near 2**64", [fuzz.set_field(last_offset, 2**64 - 32)]),
         f"ends beyond byte {U64_MAX}, past the end of the file"),
        (case("empty file", truncate=0), "the file is empty"),
        (case("cut in the header", truncate=10), "truncated GGUF header (10 of 24 bytes)"),
        (case("cut in the last tensor info", truncate=layout.tables_end - 3),
         f"tensor {layout.n_tensors - 1} '{last}' data offset at byte {layout.tables_end - 8} is cut off by the "
         f"end of the file ({layout.tables_end - 3} bytes)"),
        (case("cut in the data", truncate=layout.data_start + 100),
         f"tensor 0 '{first}' data ("),
        (case("last byte missing", truncate=size - 1),
         f"'{last}' data (2304 bytes at data offset {_value(header, last_offset)}) ends at byte {last_end + 2304}, "
         f"past the end of the file ({size - 1} bytes)"),
    ]
    return [(fuzz.Case(i, c.kind, c.description, c.patches, c.truncate), expected)
            for i, (c, expected) in enumerate(table)]


@pytest.fixture(scope="module")
def targeted(layout: Any, header: bytes) -> List[Tuple[Any, str]]:
    return _targeted(layout, header)


@pytest.fixture(scope="module")
def results(original: Path, layout: Any, header: bytes, targeted: Any) -> Dict[Tuple[str, int], Any]:
    """The targeted and the random cases, run in one go on two children."""
    random_cases = [
        fuzz.Case(len(targeted) + c.index, c.kind, c.description, c.patches, c.truncate)
        for c in fuzz.generate_cases(layout, header, RANDOM_SEED, RANDOM_CASES)
    ]
    cases = [case for case, _ in targeted] + random_cases
    ran = fuzz.run_cases(cases, original, jobs=2, timeout=120.0)
    assert [r.case.index for r in ran] == [c.index for c in cases]
    return {("targeted" if r.case.kind == "targeted" else "random", r.case.index): r for r in ran}


def test_the_fuzzer_parses_the_real_model(layout: Any) -> None:
    assert len(layout.of_kind("key-length")) == layout.n_kv > 0
    assert len(layout.of_kind("name-length")) == layout.n_tensors > 0
    assert layout.data_start % layout.alignment == 0
    assert layout.tables_end <= layout.data_start < layout.file_size
    assert max(f.offset + f.size for f in layout.fields) == layout.tables_end


def test_the_checker_accepts_the_real_model(real_model: genex_llm.Model) -> None:
    assert real_model.n_vocab > 0
    assert real_model.metadata["general.architecture"] == "llama"


def test_the_checker_reads_only_the_tables(original: Path, layout: Any, tmp_path: Path) -> None:
    # Missing its last byte, the file is refused only after every table entry
    # was checked, so this times the checker over the whole tables.
    cut = tmp_path / "cut.gguf"
    shutil.copyfile(original, cut)
    with open(cut, "r+b") as file:
        file.truncate(layout.file_size - 1)
    started = time.perf_counter()
    with pytest.raises(genex_llm.ModelLoadError, match="past the end of the file") as raised:
        genex_llm.load_model(cut, threads=1)
    elapsed = time.perf_counter() - started
    assert str(cut) in str(raised.value)
    assert elapsed < CHECK_SECONDS, f"refusing took {elapsed:.3f} s"


def test_targeted_mutations_are_refused_with_a_precise_reason(results: Any, targeted: Any) -> None:
    wrong = []
    for case, expected in targeted:
        result = results[("targeted", case.index)]
        if result.outcome != "refused" or expected not in result.detail:
            wrong.append(f"{case.description}: {result.outcome}: {result.detail!r}\n    expected: {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_random_mutations_never_crash(results: Any) -> None:
    ran = [r for (group, _), r in results.items() if group == "random"]
    assert len(ran) == RANDOM_CASES
    failures = [f"{r.case.description}: {r.outcome}: {r.detail}" for r in ran
                if r.outcome not in fuzz.PASSING_OUTCOMES]
    assert not failures, "\n".join(failures)
    # Any cut loses bytes that some tensor or table needs.
    cuts = [r for r in ran if r.case.truncate is not None]
    assert cuts and all(r.outcome == "refused" for r in cuts)
    assert sum(r.outcome == "refused" for r in ran) > RANDOM_CASES // 2


def test_the_fuzzer_reports_a_child_that_dies(original: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fuzz, "CHILD_SNIPPET", "import os\nos.abort()\n")
    case = fuzz.Case(0, "targeted", "unchanged file")
    [result] = fuzz.run_cases([case], original, jobs=1, timeout=60.0)
    assert result.outcome == "crash"
    assert "child exited with status -6" in result.detail
